//! The wasmtime host side of `wasm::ExternRef`: the slot table behind the
//! `wasmrust:externref/table` imports (`wasm::externref::WIT`) that
//! components of the wasmtime profile get when they use `ExternRef`.
//!
//! A slot holds a host value: any `Send + Sync` Rust value behind an `Arc`,
//! marked callable or not. Slot 0 is null and never live. The embedder puts a
//! value in with [`ExternRefTable::insert`] and passes the index to the
//! module; the module's `OwnedExternRef` frees it with `drop`, and `clone`
//! gives the same value (the same `Arc`) a new slot, so `eq` is identity.
//! A module that names a slot that is not live traps with the index.

use std::any::Any;
use std::sync::Arc;
use wasmtime::component::Linker;
use wasmtime::{Result, StoreContextMut};

/// A value a slot holds.
#[derive(Clone)]
pub struct HostValue {
    value: Arc<dyn Any + Send + Sync>,
    callable: bool,
}

impl HostValue {
    /// A plain value.
    pub fn new(value: impl Any + Send + Sync) -> Self {
        HostValue {
            value: Arc::new(value),
            callable: false,
        }
    }

    /// A value the module may treat as a function (`ExternRef::as_func`).
    pub fn callable(value: impl Any + Send + Sync) -> Self {
        HostValue {
            value: Arc::new(value),
            callable: true,
        }
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }
}

impl std::fmt::Debug for HostValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HostValue({:p}{})",
            Arc::as_ptr(&self.value),
            if self.callable { ", callable" } else { "" }
        )
    }
}

/// The slots of one instance.
#[derive(Default)]
pub struct ExternRefTable {
    /// Index 0 is the null slot, never live.
    slots: Vec<Option<HostValue>>,
    free: Vec<u32>,
}

impl ExternRefTable {
    /// Puts `value` in a free slot and returns its index (never 0).
    pub fn insert(&mut self, value: HostValue) -> u32 {
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(value);
                i
            }
            None => {
                self.slots.push(Some(value));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 slots")
            }
        }
    }

    /// The value in slot `index`.
    pub fn get(&self, index: u32) -> Result<&HostValue> {
        match self.slots.get(index as usize) {
            Some(Some(v)) => Ok(v),
            _ => Err(wasmtime::Error::msg(format!(
                "externref: slot #{index} is not live (null, freed, or never handed out)"
            ))),
        }
    }

    /// Frees slot `index`.
    pub fn remove(&mut self, index: u32) -> Result<HostValue> {
        let value = self.get(index)?.clone();
        self.slots[index as usize] = None;
        self.free.push(index);
        Ok(value)
    }

    /// Live slots (for leak checks).
    pub fn live(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    fn same_value(&self, a: u32, b: u32) -> Result<bool> {
        Ok(Arc::ptr_eq(&self.get(a)?.value, &self.get(b)?.value))
    }
}

/// Adds `wasmrust:externref/table` to `linker`; `table` finds the instance's
/// slot table in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    table: fn(&mut T) -> &mut ExternRefTable,
) -> Result<()> {
    let mut i = linker.instance(wasm::externref::IMPORT_MODULE)?;
    i.func_wrap(
        "drop",
        move |mut s: StoreContextMut<'_, T>, (index,): (u32,)| {
            table(s.data_mut()).remove(index)?;
            Ok(())
        },
    )?;
    i.func_wrap(
        "clone",
        move |mut s: StoreContextMut<'_, T>, (index,): (u32,)| {
            let t = table(s.data_mut());
            let value = t.get(index)?.clone();
            Ok((t.insert(value),))
        },
    )?;
    i.func_wrap(
        "eq",
        move |mut s: StoreContextMut<'_, T>, (a, b): (u32, u32)| {
            Ok((u32::from(table(s.data_mut()).same_value(a, b)?),))
        },
    )?;
    i.func_wrap(
        "is-func",
        move |mut s: StoreContextMut<'_, T>, (index,): (u32,)| {
            Ok((u32::from(table(s.data_mut()).get(index)?.callable),))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_identity_survives_clone() {
        let mut t = ExternRefTable::default();
        let a = t.insert(HostValue::new(7u32));
        let b = t.insert(HostValue::new(7u32));
        assert_eq!((a, b), (1, 2), "slot 0 is null");
        let a2 = t.insert(t.get(a).unwrap().clone());
        assert!(t.same_value(a, a2).unwrap());
        assert!(
            !t.same_value(a, b).unwrap(),
            "equal contents, different values"
        );
        assert_eq!(t.get(b).unwrap().downcast_ref::<u32>(), Some(&7));
        t.remove(a).unwrap();
        assert!(
            t.remove(a)
                .unwrap_err()
                .to_string()
                .contains("slot #1 is not live")
        );
        assert!(t.get(0).is_err(), "null is never live");
        assert_eq!(
            t.insert(HostValue::callable(())),
            a,
            "a freed slot is reused"
        );
        assert_eq!(t.live(), 3);
    }
}
