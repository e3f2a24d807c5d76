//! `primes`: a WASI command built from the same `numbers` crate as the
//! component. `primes N` prints the primes below N and their summary.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(arg) = std::env::args().nth(1) else {
        eprintln!("usage: primes N");
        return ExitCode::from(2);
    };
    let Ok(limit) = arg.parse::<u32>() else {
        eprintln!("primes: `{arg}` is not a number");
        return ExitCode::from(2);
    };
    let primes = numbers::primes_below(limit);
    let line: Vec<String> = primes.iter().map(u32::to_string).collect();
    println!("{}", line.join(" "));
    let values: Vec<i64> = primes.iter().map(|&p| i64::from(p)).collect();
    match numbers::summarize(&values) {
        Some(s) => println!(
            "count={} sum={} min={} max={} mean={:.3}",
            s.count, s.sum, s.min, s.max, s.mean
        ),
        None => println!("count=0"),
    }
    ExitCode::SUCCESS
}
