// JS side of tests/externref/lib.rs: every instance gets its own slot table.
import { ExternRefTable } from '../../crates/wasm/js/wasmrust.mjs';

export default (state) => {
  const table = new ExternRefTable();
  state.table = table;
  return {
    'wasmrust:externref': table.imports(),
    env: {
      new_object: (id) => table.insert({ id }),
      new_function: () => table.insert(() => 42),
      object_id: (index) => table.get(index).id,
      live_slots: () => table.live,
    },
  };
};
