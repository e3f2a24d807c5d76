// JS side of tests/externref/lib.rs: every instance gets its own slot table.
import { EXTERNREF_MODULE, ExternRefTable } from '../../crates/wasm/js/wasmrust.mjs';

export default (state) => {
  const table = new ExternRefTable();
  state.table = table;
  return {
    [EXTERNREF_MODULE]: table.imports(),
    env: {
      new_object: (id) => table.insert({ id }),
      new_function: () => table.insert(() => 42),
      object_id: (index) => table.get(index).id,
      live_slots: () => table.live,
      sum_and_double_first: (ptr, len) => {
        const view = new Float32Array(state.instance.exports.memory.buffer, ptr, len);
        const sum = view.reduce((a, b) => a + b, 0);
        view[0] *= 2;
        return sum;
      },
    },
  };
};
