//! The size report as one self-contained HTML page: a treemap of the file
//! (sections, the code section split into functions; area = bytes) drawn as
//! inline SVG, a sortable table of functions (a few lines of inline
//! JavaScript), and the text report. No external file, no network, nothing
//! that changes from one run to the next.

use super::compare::{Delta, SizeDiff, functions_heading, percent, render_diff, signed, totals};
use super::{SizeReport, display_name, render};
use std::fmt::Write;

/// The treemap's size, in SVG units.
const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 640.0;
/// Functions drawn one by one; the rest of the code is one "smaller functions" box.
const TREEMAP_FUNCTIONS: usize = 400;

#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Squarified treemap (Bruls, Huizing and van Wijk): `sizes`, sorted largest
/// first, laid out in `r` in rows along its shorter side, a row growing while
/// that keeps its worst aspect ratio from getting worse.
fn squarify(sizes: &[f64], r: Rect) -> Vec<Rect> {
    let total: f64 = sizes.iter().sum();
    if total <= 0.0 || r.w <= 0.0 || r.h <= 0.0 {
        return sizes
            .iter()
            .map(|_| Rect {
                x: r.x,
                y: r.y,
                w: 0.0,
                h: 0.0,
            })
            .collect();
    }
    let scale = r.w * r.h / total;
    let areas: Vec<f64> = sizes.iter().map(|s| s * scale).collect();
    let worst = |row: &[f64], side: f64| {
        let sum: f64 = row.iter().sum();
        row.iter()
            .filter(|a| **a > 0.0)
            .map(|a| (side * side * a / (sum * sum)).max(sum * sum / (side * side * a)))
            .fold(0.0, f64::max)
    };
    let mut out = Vec::with_capacity(sizes.len());
    let mut rect = r;
    let mut i = 0;
    while i < areas.len() {
        let side = rect.w.min(rect.h).max(1e-9);
        let mut j = i + 1;
        let mut best = worst(&areas[i..j], side);
        while j < areas.len() {
            let w = worst(&areas[i..=j], side);
            if w > best {
                break;
            }
            best = w;
            j += 1;
        }
        let row = &areas[i..j];
        let thick = row.iter().sum::<f64>() / side;
        if rect.w >= rect.h {
            let mut y = rect.y;
            for a in row {
                let h = a / thick.max(1e-9);
                out.push(Rect {
                    x: rect.x,
                    y,
                    w: thick,
                    h,
                });
                y += h;
            }
            rect.x += thick;
            rect.w -= thick;
        } else {
            let mut x = rect.x;
            for a in row {
                let w = a / thick.max(1e-9);
                out.push(Rect {
                    x,
                    y: rect.y,
                    w,
                    h: thick,
                });
                x += w;
            }
            rect.y += thick;
            rect.h -= thick;
        }
        i = j;
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&#39;",
            c => out.push(c),
        }
    }
    out
}

fn color(kind: &str) -> &'static str {
    match kind {
        "panics" => "#e06666",
        "formatting" => "#f6b26b",
        "allocator" => "#b48ede",
        "other" => "#6fa8dc",
        "overhead" => "#cccccc",
        _ => "#93c47d",
    }
}

/// One box: a rectangle with a tooltip and, when it fits, a label.
fn leaf(svg: &mut String, r: Rect, fill: &str, label: &str, tooltip: &str) {
    if r.w < 0.05 || r.h < 0.05 {
        return;
    }
    let _ = write!(
        svg,
        "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
        escape(tooltip),
        r.x,
        r.y,
        r.w,
        r.h
    );
    if r.w > 40.0 && r.h > 13.0 {
        let max = ((r.w - 6.0) / 6.2) as usize;
        let mut text: String = label.chars().take(max).collect();
        if label.chars().count() > max {
            text.pop();
            text.push('…');
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            r.x + 3.0,
            r.y + 11.0,
            escape(&text)
        );
    }
    svg.push_str("</g>\n");
}

fn treemap(name: &str, r: &SizeReport) -> String {
    let mut svg = format!(
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"treemap of {}\">\n",
        escape(name)
    );
    // Top level: the sections, largest first (file order among equals).
    let mut sections: Vec<(usize, &(String, usize))> = r.sections.iter().enumerate().collect();
    sections.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    let sizes: Vec<f64> = sections
        .iter()
        .map(|(_, (_, bytes))| *bytes as f64)
        .collect();
    let rects = squarify(
        &sizes,
        Rect {
            x: 0.0,
            y: 0.0,
            w: WIDTH,
            h: HEIGHT,
        },
    );
    let pct = |n: usize| {
        if r.total == 0 {
            0.0
        } else {
            100.0 * n as f64 / r.total as f64
        }
    };
    let code_sections = r
        .sections
        .iter()
        .filter(|(s, _)| s.starts_with("code"))
        .count();
    for ((_, (section, bytes)), rect) in sections.iter().zip(rects) {
        let tooltip = format!("{section} section: {bytes} bytes ({:.1}%)", pct(*bytes));
        if section != "code" || code_sections != 1 || rect.w < 20.0 || rect.h < 30.0 {
            leaf(
                &mut svg,
                rect,
                color("section"),
                &format!("{section} {bytes}"),
                &tooltip,
            );
            continue;
        }
        // The code section: a title bar, then its functions.
        let _ = writeln!(
            svg,
            "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#444\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\">{}</text></g>",
            escape(&tooltip),
            rect.x,
            rect.y,
            rect.w,
            rect.h,
            rect.x + 3.0,
            rect.y + 11.0,
            escape(&format!("code {bytes} bytes"))
        );
        let inner = Rect {
            x: rect.x + 1.0,
            y: rect.y + 15.0,
            w: rect.w - 2.0,
            h: rect.h - 16.0,
        };
        let shown = &r.functions[..r.functions.len().min(TREEMAP_FUNCTIONS)];
        let rest = &r.functions[shown.len()..];
        let rest_bytes: usize = rest.iter().map(|f| f.bytes).sum();
        let overhead = bytes.saturating_sub(r.functions.iter().map(|f| f.bytes).sum());
        let mut boxes: Vec<(String, usize, &str, String)> = shown
            .iter()
            .map(|f| {
                let name = display_name(f);
                let retained = f
                    .retained
                    .map(|n| format!(", retains {n}"))
                    .unwrap_or_default();
                let tooltip = format!(
                    "#{} {name}: {} bytes ({:.1}%{retained}; {})",
                    f.index,
                    f.bytes,
                    pct(f.bytes),
                    f.category
                );
                (name, f.bytes, f.category, tooltip)
            })
            .collect();
        if rest_bytes > 0 {
            boxes.push((
                format!("{} smaller functions", rest.len()),
                rest_bytes,
                "overhead",
                format!("{} smaller functions: {rest_bytes} bytes", rest.len()),
            ));
        }
        if overhead > 0 {
            boxes.push((
                "body sizes".into(),
                overhead,
                "overhead",
                format!("function count and body size fields: {overhead} bytes"),
            ));
        }
        boxes.sort_by_key(|b| std::cmp::Reverse(b.1));
        let sizes: Vec<f64> = boxes.iter().map(|b| b.1 as f64).collect();
        for (b, rect) in boxes.iter().zip(squarify(&sizes, inner)) {
            leaf(&mut svg, rect, color(b.2), &b.0, &b.3);
        }
    }
    svg.push_str("</svg>\n");
    svg
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
svg{width:100%;height:auto;border:1px solid #ccc}svg text{font:10px monospace;pointer-events:none}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;overflow-wrap:anywhere}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}
.k{display:inline-block;width:10px;height:10px;margin-right:4px}pre{background:#f8f8f8;padding:1em;overflow:auto}
td.bar{width:200px}td.bar span{display:block;height:10px}";

const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,i){
th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
var num=th.classList.contains('n'),dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';
rows.sort(function(x,y){var a=x.cells[i].dataset.v||x.cells[i].textContent,c=y.cells[i].dataset.v||y.cells[i].textContent;
return num?dir*(parseFloat(a)-parseFloat(c)):dir*a.localeCompare(c);});rows.forEach(function(r){b.appendChild(r);});});});";

/// The HTML page for `r` (`name`: the file's name, shown in the title).
pub fn render_html(name: &str, r: &SizeReport, top: usize) -> String {
    let pct = |n: usize| {
        if r.total == 0 {
            0.0
        } else {
            100.0 * n as f64 / r.total as f64
        }
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>size of {0}</title>\n<style>{STYLE}</style></head><body>\n<h1>{0}: {1} bytes</h1>\n",
        escape(name),
        r.total
    );
    h += "<p>";
    for kind in [
        "panics",
        "formatting",
        "allocator",
        "other",
        "section",
        "overhead",
    ] {
        let _ = write!(
            h,
            "<span class=\"k\" style=\"background:{}\"></span>{kind} ",
            color(kind)
        );
    }
    h += "</p>\n";
    h += &treemap(name, r);
    h += "<h2>Sections</h2>\n<table class=\"sortable\"><thead><tr><th>section</th><th class=\"n\">bytes</th><th class=\"n\">%</th></tr></thead><tbody>\n";
    for (section, bytes) in &r.sections {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{bytes}</td><td class=\"n\">{:.1}</td></tr>",
            escape(section),
            pct(*bytes)
        );
    }
    h += "</tbody></table>\n";
    let _ = write!(
        h,
        "<h2>Functions ({})</h2>\n<p>Click a column to sort. Retained: the function's bytes plus those of every function it dominates in the call graph (what removing it would remove).</p>\n",
        r.functions.len()
    );
    h += "<table class=\"sortable\"><thead><tr><th class=\"n\">#</th><th>function</th><th>kind</th><th class=\"n\">bytes</th><th class=\"n\">%</th><th class=\"n\">retained</th><th class=\"n\">retained %</th></tr></thead><tbody>\n";
    for f in &r.functions {
        let (retained, retained_pct) = match f.retained {
            Some(n) => (n.to_string(), format!("{:.1}", pct(n))),
            None => ("-".to_string(), "-".to_string()),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\" data-v=\"{}\">{retained}</td><td class=\"n\" data-v=\"{}\">{retained_pct}</td></tr>",
            f.index,
            escape(&display_name(f)),
            f.category,
            f.bytes,
            pct(f.bytes),
            f.retained.unwrap_or(0),
            f.retained.unwrap_or(0),
        );
    }
    h += "</tbody></table>\n<h2>Text report</h2>\n<pre>";
    h += &escape(&render(name, r, top));
    let _ = write!(h, "</pre>\n<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

const GROWS: &str = "#e06666";
const SHRINKS: &str = "#6aa84f";

/// One table row of a diff: old, new, delta and a bar whose length is the
/// change against the largest change in the table (red grows, green shrinks).
fn diff_row(h: &mut String, d: &Delta, largest: u64) {
    let cell = |n: Option<usize>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    let width = if largest == 0 {
        0.0
    } else {
        100.0 * d.delta.unsigned_abs() as f64 / largest as f64
    };
    let _ = writeln!(
        h,
        "<tr><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"bar\"><span style=\"width:{width:.1}%;background:{}\"></span></td></tr>",
        escape(&d.name),
        d.old.unwrap_or(0),
        cell(d.old),
        d.new.unwrap_or(0),
        cell(d.new),
        d.delta,
        signed(d.delta),
        if d.delta > 0 { GROWS } else { SHRINKS },
    );
}

fn diff_table(h: &mut String, rows: &[Delta]) {
    let largest = rows
        .iter()
        .map(|d| d.delta.unsigned_abs())
        .max()
        .unwrap_or(0);
    h.push_str("<table class=\"sortable\"><thead><tr><th>name</th><th class=\"n\">old</th><th class=\"n\">new</th><th class=\"n\">delta</th><th>change</th></tr></thead><tbody>\n");
    for d in rows {
        diff_row(h, d, largest);
    }
    h.push_str("</tbody></table>\n");
}

/// The HTML page for a diff of two builds: totals, every changed section and
/// function (sortable, with a bar per change), and the text form.
pub fn render_diff_html(old_name: &str, new_name: &str, d: &SizeDiff, top: usize) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>size diff: {0} -> {1}</title>\n<style>{STYLE}</style></head><body>\n<h1>size diff: {0} &rarr; {1}</h1>\n",
        escape(old_name),
        escape(new_name)
    );
    h += "<table><thead><tr><th></th><th class=\"n\">old</th><th class=\"n\">new</th><th class=\"n\">delta</th><th class=\"n\">%</th></tr></thead><tbody>\n";
    for (label, old, new) in totals(d) {
        let delta = new as i64 - old as i64;
        let pct = percent(old, new)
            .map(|p| format!("{p:+.1}"))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"n\">{old}</td><td class=\"n\">{new}</td><td class=\"n\" style=\"color:{}\">{}</td><td class=\"n\">{pct}</td></tr>",
            if delta > 0 { GROWS } else { SHRINKS },
            signed(delta)
        );
    }
    h += "</tbody></table>\n";
    let _ = writeln!(h, "<h2>Sections ({} changed)</h2>", d.sections.len());
    diff_table(&mut h, &d.sections);
    // Every changed function is in the table (sorting needs them all); the
    // heading's "top" refers to the text form below.
    let _ = writeln!(
        h,
        "<h2>Functions</h2>\n<p>{}. Click a column to sort.</p>",
        escape(&functions_heading(d, top))
    );
    diff_table(&mut h, &d.functions);
    h += "<h2>Text form</h2>\n<pre>";
    h += &escape(&render_diff(old_name, new_name, d, top));
    let _ = write!(h, "</pre>\n<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squarify_fills_the_rectangle() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 400.0,
        };
        let rects = squarify(&[6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0], r);
        let area: f64 = rects.iter().map(|r| r.w * r.h).sum();
        assert!((area - 240_000.0).abs() < 1e-6);
        assert!(rects.iter().all(|q| q.x >= -1e-9
            && q.y >= -1e-9
            && q.x + q.w <= 600.0 + 1e-6
            && q.y + q.h <= 400.0 + 1e-6));
        assert!((rects[0].w * rects[0].h - 60_000.0).abs() < 1e-6);
    }
}
