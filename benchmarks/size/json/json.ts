// A JSON tokenizer (RFC 8259 lexical grammar), as json.rs: collects the
// tokens in an Array, then counts them by kind. ABI: alloc, dealloc,
// tokenize(ptr, len) -> token count or -1, count(kind).
enum Kind { LBrace, RBrace, LBracket, RBracket, Colon, Comma, String, Number, True, False, Null }
const KINDS = 11;

class Token {
  constructor(public kind: Kind, public start: usize, public end: usize) {}
}

const counts = new StaticArray<u32>(KINDS);

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: i32): bool {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

// Scanners return the token kind, or -1 on a lexical error.
class Lexer {
  pos: usize = 0;
  constructor(public src: usize, public len: usize) {}

  peek(): i32 {
    return this.pos < this.len ? <i32>load<u8>(this.src + this.pos) : -1;
  }

  digits(): usize {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    return this.pos - start;
  }

  string(): i32 {
    this.pos++; // opening quote
    while (true) {
      let c = this.peek();
      if (c < 0) return -1; // unterminated
      if (c == 0x22) {
        this.pos++;
        return Kind.String;
      }
      if (c < 0x20) return -1; // control character
      if (c == 0x5c) {
        this.pos++;
        c = this.peek();
        if (c == 0x75) { // \uXXXX
          this.pos++;
          if (this.len - this.pos < 4) return -1;
          for (let i: usize = 0; i < 4; i++) {
            if (!isHex(load<u8>(this.src + this.pos + i))) return -1;
          }
          this.pos += 4;
        } else if (c == 0x22 || c == 0x5c || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74) {
          this.pos++;
        } else {
          return -1;
        }
      } else {
        this.pos++;
      }
    }
    return -1;
  }

  number(): i32 {
    if (this.peek() == 0x2d) this.pos++;
    let c = this.peek();
    if (c == 0x30) this.pos++;
    else if (c >= 0x31 && c <= 0x39) this.digits();
    else return -1;
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return -1;
    }
    c = this.peek();
    if (c == 0x65 || c == 0x45) {
      this.pos++;
      c = this.peek();
      if (c == 0x2b || c == 0x2d) this.pos++;
      if (this.digits() == 0) return -1;
    }
    return Kind.Number;
  }

  literal(word: string, kind: Kind): i32 {
    const n = <usize>word.length;
    if (this.len - this.pos < n) return -1;
    for (let i: usize = 0; i < n; i++) {
      if (<i32>load<u8>(this.src + this.pos + i) != word.charCodeAt(<i32>i)) return -1;
    }
    this.pos += n;
    return kind;
  }

  punct(kind: Kind): i32 {
    this.pos++;
    return kind;
  }

  // The next token; null at the end or on an error (then `failed` is set).
  failed: bool = false;
  next(): Token | null {
    let c = this.peek();
    while (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) {
      this.pos++;
      c = this.peek();
    }
    if (c < 0) return null;
    const start = this.pos;
    let kind: i32 = -1;
    switch (c) {
      case 0x7b: kind = this.punct(Kind.LBrace); break;
      case 0x7d: kind = this.punct(Kind.RBrace); break;
      case 0x5b: kind = this.punct(Kind.LBracket); break;
      case 0x5d: kind = this.punct(Kind.RBracket); break;
      case 0x3a: kind = this.punct(Kind.Colon); break;
      case 0x2c: kind = this.punct(Kind.Comma); break;
      case 0x22: kind = this.string(); break;
      case 0x74: kind = this.literal("true", Kind.True); break;
      case 0x66: kind = this.literal("false", Kind.False); break;
      case 0x6e: kind = this.literal("null", Kind.Null); break;
      default:
        if (c == 0x2d || isDigit(c)) kind = this.number();
    }
    if (kind < 0) {
      this.failed = true;
      return null;
    }
    return new Token(<Kind>kind, start, this.pos);
  }
}

export function alloc(len: usize): usize {
  const ptr = heap.alloc(len);
  memory.fill(ptr, 0, len);
  return ptr;
}

export function dealloc(ptr: usize, len: usize): void {
  heap.free(ptr);
}

export function tokenize(ptr: usize, len: usize): i32 {
  for (let k = 0; k < KINDS; k++) counts[k] = 0;
  const lexer = new Lexer(ptr, len);
  const tokens = new Array<Token>();
  for (let t = lexer.next(); t != null; t = lexer.next()) tokens.push(t);
  if (lexer.failed) return -1;
  for (let i = 0; i < tokens.length; i++) counts[tokens[i].kind]++;
  return tokens.length;
}

export function count(kind: i32): u32 {
  return kind >= 0 && kind < KINDS ? counts[kind] : 0;
}
