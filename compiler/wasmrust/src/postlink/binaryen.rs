//! What binaryen (the `wasm-opt` crate, binaryen 116) cannot read.
//!
//! `wasmrust validate` accepts every valid module in a target's features;
//! binaryen 116's binary reader and validator refuse some of them. This pass
//! finds those constructs with wasmparser before binaryen runs, so `opt`
//! fails naming the input and the construct instead of printing binaryen's
//! parse error (or its validator's dump of a whole function). rustc, rust-lld
//! and WasmRust's own passes never emit any of them; the list comes from the
//! differential fuzzer (`wasmrust-fuzz diff`) and docs/reliability.md keeps it
//! with the figures.

use anyhow::Result;
use wasmparser::{
    BlockType, CompositeInnerType, DataKind, ElementItems, ElementKind, FuncType, Operator, Parser,
    Payload, TypeRef,
};

/// A construct binaryen cannot read, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// What it is, e.g. "the `table.copy` instruction".
    pub construct: String,
    /// Where: a function and byte offset, or a section and item.
    pub location: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.construct, self.location)
    }
}

const PAGE: u64 = 65536;

/// The first construct in the (valid) module `bytes` that binaryen 116
/// cannot read, or `None` when binaryen reads all of it.
pub fn unsupported(bytes: &[u8]) -> Result<Option<Unsupported>> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut memories: Vec<u64> = Vec::new();
    let mut tables: Vec<u64> = Vec::new();
    let mut imported_funcs = 0u32;
    let mut func = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import?.ty {
                        TypeRef::Func(_) => imported_funcs += 1,
                        TypeRef::Memory(m) => memories.push(m.initial),
                        TypeRef::Table(t) => tables.push(t.initial),
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    memories.push(memory?.initial);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    tables.push(table?.ty.initial);
                }
            }
            Payload::ElementSection(reader) => {
                for (i, element) in reader.into_iter().enumerate() {
                    let element = element?;
                    // binaryen skips a declarative segment's items as
                    // indices, misreading expressions (`ref.func N end`).
                    let misread = match &element.items {
                        ElementItems::Expressions(_, items) => items.count() > 0,
                        ElementItems::Functions(_) => false,
                    };
                    if matches!(element.kind, ElementKind::Declared) && misread {
                        return Ok(Some(Unsupported {
                            construct: "a declarative element segment written with expressions"
                                .into(),
                            location: format!("element segment {i}"),
                        }));
                    }
                    // binaryen removes or moves an active segment that does
                    // not fit, so a module that traps at instantiation
                    // would instantiate once optimized.
                    if let ElementKind::Active {
                        table_index,
                        offset_expr,
                    } = element.kind
                        && let Some(offset) = const_offset(&offset_expr)?
                    {
                        let count = match &element.items {
                            ElementItems::Expressions(_, items) => items.count(),
                            ElementItems::Functions(items) => items.count(),
                        };
                        let end = offset + u64::from(count);
                        let initial = tables
                            .get(table_index.unwrap_or(0) as usize)
                            .copied()
                            .unwrap_or(0);
                        if end > initial {
                            return Ok(Some(Unsupported {
                                construct: format!(
                                    "an active element segment that ends beyond its table's initial size ({end} > {initial} entries; it traps at instantiation)"
                                ),
                                location: format!("element segment {i}"),
                            }));
                        }
                    }
                }
            }
            Payload::DataSection(reader) => {
                for (i, data) in reader.into_iter().enumerate() {
                    let data = data?;
                    let DataKind::Active {
                        memory_index,
                        offset_expr,
                    } = data.kind
                    else {
                        continue;
                    };
                    let Some(offset) = const_offset(&offset_expr)? else {
                        continue;
                    };
                    let end = offset + data.data.len() as u64;
                    let initial = memories.get(memory_index as usize).copied().unwrap_or(0);
                    if end > initial * PAGE {
                        return Ok(Some(Unsupported {
                            construct: format!(
                                "an active data segment that ends beyond the initial memory ({end} > {} bytes; it traps at instantiation)",
                                initial * PAGE
                            ),
                            location: format!("data segment {i}"),
                        }));
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = imported_funcs + func;
                func += 1;
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let offset = ops.original_position();
                    let construct = match ops.read()? {
                        Operator::TableInit { .. } => Some("the `table.init` instruction".into()),
                        Operator::ElemDrop { .. } => Some("the `elem.drop` instruction".into()),
                        Operator::TableCopy { .. } => Some("the `table.copy` instruction".into()),
                        Operator::TableFill { .. } => Some("the `table.fill` instruction".into()),
                        Operator::Block { blockty }
                        | Operator::Loop { blockty }
                        | Operator::If { blockty } => with_params(&types, blockty),
                        _ => None,
                    };
                    if let Some(construct) = construct {
                        return Ok(Some(Unsupported {
                            construct,
                            location: format!("function {index}, offset {offset:#x}"),
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The offset of an active segment, when it is a constant.
fn const_offset(expr: &wasmparser::ConstExpr<'_>) -> Result<Option<u64>> {
    Ok(match expr.get_operators_reader().read()? {
        Operator::I32Const { value } => Some(u64::from(value as u32)),
        _ => None,
    })
}

/// A block, loop or if that takes parameters (multi-value block inputs):
/// binaryen's IR has no block parameters.
fn with_params(types: &[Option<FuncType>], blockty: BlockType) -> Option<String> {
    let BlockType::FuncType(index) = blockty else {
        return None;
    };
    let params = types.get(index as usize)?.as_ref()?.params().len();
    (params > 0).then(|| format!("a block, loop or if with {params} parameter(s) (type {index})"))
}
