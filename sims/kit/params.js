// @ts-check
// params.js -- URL parameters of a MicroSim, validated against the sim's declared spec.
//
// A sim declares its parameters once, in its sim.json ({key: {type, default, label, help, ...}});
// the Python controller checks the same declarations (microsims/params.py). The kit adds `seed`
// (integer, default 1) and `theme` (auto | light | dark). Any invalid value falls back to the default and
// yields a one-line notice that names the parameter, what was wrong, and the value used instead,
// so a mistyped link never breaks a sim. Unknown parameters are ignored (embedding platforms add
// their own).
//
// Forms that are not the canonical one are read, and said so: spaces around a value (` 8 `), a
// plus sign or leading zeros on a number (`+5`, `08`), `5.0` for 5 give the canonical value and
// the notice `Read size=" 8 " as 8.` (a link is still followed, and the reader learns the value
// used). Text parameters (a key) are taken as they are: a space in a key is part of the key.
// A parameter given more than once (`size=4&size=99`): the first wins, and the notice says so
// (`size is given 2 times; using the first, size="4".`). microsims/params.py decides the same.
//
// Types: {type: "int", min, max}, {type: "number", min, max}, {type: "string", maxLength, pattern},
// {type: "enum", options: [{value, label}, ...]} (or values: [...]), {type: "bool"}
// (true/false/1/0/yes/no/on/off). An int may name another int parameter in `maxFrom`: its value
// may not exceed that parameter's, and when it is not given (or refused) it takes that value
// (microsims/params.py does the same).
//
// Usage:
//   const { values, notices } = parseParams("?size=99", { size: { type: "int", min: 4, max: 16, default: 8 } });
//   // values: {size: 8, seed: 1, theme: "auto"}
//   // notices: ["Ignored size=99: it must be a whole number from 4 to 16. Using 8."]

import { isolate } from "./bidi.js";

/**
 * One parameter as sim.json declares it.
 * @typedef {object} ParamSpec
 * @property {"int" | "number" | "string" | "enum" | "bool"} type
 * @property {string | number | boolean} default
 * @property {string} [label]  the name of its control
 * @property {string} [help]  what it sets, for the sim's page
 * @property {string} [unit]  e.g. "slots"
 * @property {number} [min]
 * @property {number} [max]
 * @property {string} [maxFrom]  an int parameter whose value is this one's max and default
 * @property {number} [maxLength]
 * @property {string} [pattern]
 * @property {string} [patternHint]
 * @property {{value: string | number, label: string}[]} [options]  an enum's choices
 * @property {(string | number)[]} [values]  an enum's values, where it has no labels
 */

/** @type {Record<string, ParamSpec>} */
export const KIT_PARAMS = {
  seed: { type: "int", min: 0, max: 2147483647, default: 1 },
  theme: { type: "enum", values: ["auto", "light", "dark"], default: "auto" },
};

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

// A value quoted in a notice, shortened and bidi-isolated (it is the reader's own text).
function quoted(text, max = 40) {
  return isolate(JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text));
}

/** The values an enum parameter accepts. */
export function enumValues(/** @type {ParamSpec} */ spec) {
  return spec.values ?? (spec.options || []).map((option) => option.value);
}

/**
 * Returns [value] when `raw` is valid for `spec`, else a string saying why not.
 * @param {string} raw
 * @param {ParamSpec} spec
 * @returns {[any] | string}
 */
export function checkValue(raw, spec) {
  switch (spec.type) {
    case "int": {
      if (!/^[+-]?\d+$/.test(raw.trim())) return `it must be a whole number${range(spec)}`;
      const value = Number(raw);
      if (!Number.isSafeInteger(value) || !inRange(value, spec))
        return `it must be a whole number${range(spec)}`;
      return [value];
    }
    case "number": {
      const value = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(value) || !inRange(value, spec))
        return `it must be a number${range(spec)}`;
      return [value];
    }
    case "enum": {
      const values = enumValues(spec).map(String);
      return values.includes(raw.trim()) ? [raw.trim()] : `it must be one of ${values.join(", ")}`;
    }
    case "bool": {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.includes(word)) return [true];
      if (FALSE_WORDS.includes(word)) return [false];
      return "it must be true or false";
    }
    default: {
      const max = spec.maxLength ?? 200;
      if (raw.length > max) return `it is longer than ${max} characters`;
      if (spec.pattern && !new RegExp(spec.pattern).test(raw))
        return spec.patternHint || "it has characters this sim does not accept";
      return [raw];
    }
  }
}

function inRange(value, spec) {
  return (
    (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max)
  );
}

function range(spec) {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return "";
}

/**
 * The notice for a valid value written in another form than its canonical one, else null.
 * @param {string} name
 * @param {string} raw
 * @param {any} value
 * @param {ParamSpec} spec
 */
export function formNotice(name, raw, value, spec) {
  if (spec.type === "string") return null;
  const canonical = String(value);
  const same = spec.type === "bool" ? raw.trim() === raw : raw === canonical;
  return same ? null : `Read ${name}=${quoted(raw)} as ${canonical}.`;
}

/**
 * Parse `search` (e.g. location.search) against the sim's spec plus the kit's own parameters.
 * @param {string} search
 * @param {Record<string, ParamSpec>} [spec]
 * @returns {{values: Record<string, any>, notices: string[]}}
 */
export function parseParams(search, spec = {}) {
  const query = new URLSearchParams(search);
  const all = { ...spec, ...KIT_PARAMS };
  const values = {};
  const notices = [];
  const taken = new Set(); // the parameters whose given value was valid
  /** @type {Map<string, string>} */
  const refused = new Map(); // a refused value of a parameter bounded by another (maxFrom)
  for (const [name, paramSpec] of Object.entries(all)) {
    values[name] = paramSpec.default;
    const given = query.getAll(name);
    if (given.length === 0) continue;
    const raw = given[0];
    if (given.length > 1) {
      const first = quoted(raw);
      notices.push(`${name} is given ${given.length} times; using the first, ${name}=${first}.`);
    }
    const checked = checkValue(raw, paramSpec);
    if (Array.isArray(checked)) {
      values[name] = checked[0];
      taken.add(name);
      const form = formNotice(name, raw, checked[0], paramSpec);
      if (form) notices.push(form);
    } else if (paramSpec.maxFrom) {
      refused.set(name, quoted(raw)); // told below, with the range its bound allows
    } else {
      const shown = quoted(raw);
      notices.push(
        `Ignored ${name}=${shown}: ${checked}. Using ${JSON.stringify(paramSpec.default)}.`,
      );
    }
  }
  for (const [name, paramSpec] of Object.entries(all)) {
    if (!paramSpec.maxFrom) continue;
    const limit = values[paramSpec.maxFrom];
    const shown =
      refused.get(name) ?? (taken.has(name) && values[name] > limit ? String(values[name]) : null);
    if (shown !== null) {
      const bound = (all[paramSpec.maxFrom].label || paramSpec.maxFrom).toLowerCase();
      notices.push(
        `Ignored ${name}=${shown}: it must be a whole number from ${paramSpec.min} to ` +
          `${limit} (the ${bound}). Using ${limit}.`,
      );
    }
    if (!taken.has(name) || values[name] > limit) values[name] = limit;
  }
  return { values, notices };
}
