// JS imports of tests/js/lib.rs, for wasm_test's `js_imports`.
export default (state) => ({
  env: {
    js_add: (a, b) => a + b,
    js_upper: (ptr, len) => {
      const bytes = new Uint8Array(state.instance.exports.memory.buffer, ptr, len);
      const text = new TextDecoder().decode(bytes).toUpperCase();
      return new TextEncoder().encodeInto(text, bytes).written;
    },
  },
});
