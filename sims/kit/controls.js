// @ts-check
// controls.js -- the control row builder (`ui`) handed to a sim's controls(ui, sim).
//
// Every control is a real DOM element (button, input, select, range, checkbox) with a visible
// label that is also its accessible name, so it works with Tab, Enter/Space and the arrow keys
// and with screen readers, and the visible text matches the spoken name (WCAG 2.5.3). Controls
// flow left to right and wrap on narrow screens; ui.row() starts a new row. A callback that
// throws or rejects is reported as a notice instead of breaking the page.
//
// Usage (inside createMicroSim's controls(ui, sim)):
//   const go = ui.button({ name: "Hash", onClick: () => sim.call("hash", { key: input.value }) });
//   const input = ui.text({ name: "Enter key", value: "user:42", maxLength: 100, onEnter: (v) => ... });
//   ui.range({ name: "Table size", min: 4, max: 16, step: 1, value: 8, onChange: (v) => ... });
//   ui.select({ name: "Policy", options: [["lru", "LRU"], ["lfu", "LFU"]], value: "lru", onChange });
//   ui.checkbox({ name: "Redis approximation", checked: false, onChange: (checked) => ... });
//   ui.row();  ui.setPressed(go, true);  ui.setLabel(go, "Pause");  ui.setValue(input, "user:7");

let uid = 0;

/**
 * The `ui` builder for one sim's control rows (see the usage above and sims/kit/README.md).
 * @param {HTMLElement} container  the element the rows go in
 * @param {(error: unknown) => void} report  shows a failed callback as a notice
 */
export function createControls(container, report) {
  let row = null;

  const newRow = () => {
    row = document.createElement("div");
    row.className = "ms-row";
    container.append(row);
    return row;
  };

  const guard =
    (fn) =>
    (...args) => {
      if (!fn) return undefined;
      try {
        const result = fn(...args);
        if (result && typeof result.catch === "function") result.catch(report);
        return result;
      } catch (error) {
        report(error);
        return undefined;
      }
    };

  const place = (el) => {
    (row || newRow()).append(el);
    return el;
  };

  // <span class="ms-field"><label for=id>Name</label><control id=id></span>: the accessible
  // name is exactly the visible label (not the label plus the options of a select).
  const field = (name, input, extraClass = "", labelFirst = true) => {
    const wrapper = document.createElement("span");
    wrapper.className = `ms-field ${extraClass}`.trim();
    const label = document.createElement("label");
    label.className = "ms-label";
    label.textContent = name;
    input.id = input.id || `ms-control-${++uid}`;
    label.htmlFor = input.id;
    if (labelFirst) wrapper.append(label, input);
    else wrapper.append(input, label);
    place(wrapper);
    input.msLabel = label;
    return input;
  };

  const ui = {
    row: newRow,

    button({ name, onClick, pressed, title, className = "" }) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `ms-button ${className}`.trim();
      button.textContent = name;
      if (title) button.title = title;
      if (pressed !== undefined) button.setAttribute("aria-pressed", String(Boolean(pressed)));
      button.addEventListener("click", guard(onClick));
      return place(button);
    },

    text({ name, value = "", onEnter, onInput, maxLength = 200, placeholder = "", size = 14 }) {
      const input = document.createElement("input");
      input.type = "text";
      input.value = value;
      input.maxLength = maxLength;
      input.size = size;
      input.spellcheck = false;
      input.autocomplete = "off";
      if (placeholder) input.placeholder = placeholder;
      const enter = guard(onEnter);
      const changed = guard(onInput);
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          enter(input.value);
        }
      });
      input.addEventListener("input", () => changed(input.value));
      return field(name, input);
    },

    range({ name, min, max, step = 1, value, onChange, onInput, format = String }) {
      const input = document.createElement("input");
      input.type = "range";
      Object.assign(input, { min: String(min), max: String(max), step: String(step) });
      input.value = String(value ?? min);
      const output = document.createElement("output");
      output.id = `ms-out-${++uid}`;
      output.className = "ms-output";
      output.textContent = format(Number(input.value));
      input.setAttribute("aria-valuetext", output.textContent);
      const changed = guard(onChange);
      const moving = guard(onInput);
      const show = () => {
        output.textContent = format(Number(input.value));
        input.setAttribute("aria-valuetext", output.textContent);
      };
      input.addEventListener("input", () => {
        show();
        moving(Number(input.value));
      });
      input.addEventListener("change", () => changed(Number(input.value)));
      Object.assign(input, { msOutput: output, msShow: show });
      field(name, input, "ms-range");
      input.parentElement.append(output);
      return input;
    },

    select({ name, options, value, onChange }) {
      const select = document.createElement("select");
      for (const option of options) {
        const [optionValue, optionLabel] = Array.isArray(option) ? option : [option, option];
        select.append(new Option(optionLabel, optionValue));
      }
      if (value !== undefined) select.value = value;
      const changed = guard(onChange);
      select.addEventListener("change", () => changed(select.value));
      return field(name, select);
    },

    checkbox({ name, checked = false, onChange }) {
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = Boolean(checked);
      const changed = guard(onChange);
      input.addEventListener("change", () => changed(input.checked));
      return field(name, input, "ms-check", false);
    },

    /** A short piece of text in the control row (e.g. a legend); not a control. */
    text_note(text) {
      const span = document.createElement("span");
      span.className = "ms-note";
      span.textContent = text;
      return place(span);
    },

    setPressed(el, pressed) {
      el.setAttribute("aria-pressed", String(Boolean(pressed)));
    },

    setLabel(el, text) {
      if (el.msLabel) el.msLabel.textContent = text;
      else el.textContent = text;
    },

    setValue(el, value) {
      if (el.type === "checkbox") el.checked = Boolean(value);
      else el.value = String(value);
      el.msShow?.();
    },

    setDisabled(el, disabled) {
      el.disabled = Boolean(disabled);
    },
  };
  ui.note = ui.text_note;
  return ui;
}
