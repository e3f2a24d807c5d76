#[wasm_macros::import(module = "env")]
extern "C" {
    fn name() -> &'static str;
}

fn main() {}
