// A linear type implements `Drop`, so fields cannot be moved out by destructuring:
// the type's module must use the generated `into_fields`.
#[wasm_macros::linear]
struct Lease {
    name: String,
}

fn name(l: Lease) -> String {
    let Lease { name } = l;
    name
}

fn main() {}
