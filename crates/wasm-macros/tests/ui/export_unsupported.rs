use std::collections::HashMap;

#[wasm_macros::export]
fn count(map: HashMap<String, u32>) -> u32 {
    map.len() as u32
}

#[wasm_macros::export]
fn bump(x: &mut u32) {
    *x += 1;
}

fn main() {}
