//! Every WIT type through generated bindings (`types_bindings`): the
//! implementation of wit/types.wit, checked in wasmtime by types.expect.

use types_bindings::exports::wasmrust::types::scalars::{self, Color, Perms};
use types_bindings::exports::wasmrust::types::shapes::{self, Outcome, Tagged};
use types_bindings::wasmrust::geo::shapes::{Point, Shape};

struct Types;

impl types_bindings::Guest for Types {
    fn version() -> String {
        "types 0.1.0".to_owned()
    }
}

type Scalars = (u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, bool, char);

impl scalars::Guest for Types {
    #[allow(clippy::too_many_arguments)]
    fn step(
        a: u8,
        b: i8,
        c: u16,
        d: i16,
        e: u32,
        f: i32,
        g: u64,
        h: i64,
        i: f32,
        j: f64,
        k: bool,
        l: char,
    ) -> Scalars {
        let next = char::from_u32(l as u32 + 1).unwrap_or('?');
        (
            a.wrapping_add(1),
            b.wrapping_add(1),
            c.wrapping_add(1),
            d.wrapping_add(1),
            e.wrapping_add(1),
            f.wrapping_add(1),
            g.wrapping_add(1),
            h.wrapping_add(1),
            i * 2.0,
            j * 2.0,
            !k,
            next,
        )
    }

    fn next_color(c: Color) -> Color {
        match c {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }

    fn toggle_write(p: Perms) -> Perms {
        if p.contains(Perms::WRITE) {
            p - Perms::WRITE
        } else {
            p | Perms::WRITE
        }
    }
}

impl shapes::Guest for Types {
    fn area(s: Shape) -> Result<f64, String> {
        match s {
            Shape::Circle((_, r)) => Ok(3.0 * r * r),
            Shape::Polygon(points) if points.len() >= 3 => {
                // The shoelace formula.
                let n = points.len();
                let twice: i64 = (0..n)
                    .map(|k| {
                        let (p, q) = (points[k], points[(k + 1) % n]);
                        i64::from(p.x) * i64::from(q.y) - i64::from(q.x) * i64::from(p.y)
                    })
                    .sum();
                Ok(twice.abs() as f64 / 2.0)
            }
            Shape::Polygon(points) => {
                Err(format!("a polygon of {} points has no area", points.len()))
            }
            Shape::Empty => Err("the empty shape has no area".to_owned()),
        }
    }

    fn normalize(items: Vec<Tagged>) -> Outcome {
        if items.is_empty() {
            return Outcome::Skipped("no items".to_owned());
        }
        if items.iter().any(|t| t.name.is_empty()) {
            return Outcome::None;
        }
        Outcome::Ok(
            items
                .into_iter()
                .map(|t| Tagged {
                    name: t.name,
                    labels: t
                        .labels
                        .into_iter()
                        .flatten()
                        .map(|l| Some(l.to_uppercase()))
                        .collect(),
                    where_: t.where_,
                })
                .collect(),
        )
    }

    fn bounds(points: Vec<Point>) -> Option<(Point, Point)> {
        let first = *points.first()?;
        Some(points.iter().fold((first, first), |(lo, hi), p| {
            (
                Point {
                    x: lo.x.min(p.x),
                    y: lo.y.min(p.y),
                },
                Point {
                    x: hi.x.max(p.x),
                    y: hi.y.max(p.y),
                },
            )
        }))
    }

    fn split(text: String, sep: String) -> Result<Vec<String>, String> {
        if sep.is_empty() {
            return Err(sep);
        }
        Ok(text.split(sep.as_str()).map(str::to_owned).collect())
    }

    fn lengths(chunks: Vec<Vec<u8>>) -> (Vec<u32>, u64) {
        let lengths: Vec<u32> = chunks.iter().map(|c| c.len() as u32).collect();
        let total = lengths.iter().map(|&l| u64::from(l)).sum();
        (lengths, total)
    }
}

types_bindings::export!(Types);
