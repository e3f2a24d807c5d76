#[wasm_macros::linear]
#[derive(Debug, Clone, Copy)]
struct Ticket {
    id: u32,
}

fn main() {}
