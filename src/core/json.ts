// Parsing JSON text from the caller (model files, and the formats of the interop entry).

/** Longest part of the engine's parse error kept in the message (V8 quotes the text around the error). */
const MESSAGE_CHARS = 200;

/**
 * Parses JSON `text`; a SyntaxError names what the text was (`what`) and why it does not parse.
 *
 * @example
 * parseJsonText('{"a": 1}', 'model file'); // { a: 1 }
 * parseJsonText('{a}', 'model file'); // SyntaxError: model file is not valid JSON: Expected property name …
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${what} is not valid JSON: ${String((e as Error).message).slice(0, MESSAGE_CHARS)}`, { cause: e });
  }
}
