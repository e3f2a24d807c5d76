//! A JSON tokenizer (RFC 8259 lexical grammar), as json.rs: collects the
//! tokens in an ArrayList, then counts them by kind. ABI: alloc, dealloc,
//! tokenize(ptr, len) -> token count or -1, count(kind).
const std = @import("std");
const gpa = std.heap.wasm_allocator;

const Kind = enum(u8) { lbrace, rbrace, lbracket, rbracket, colon, comma, string, number, true_, false_, null_ };
const kinds = @typeInfo(Kind).@"enum".fields.len;

const Token = struct { kind: Kind, start: usize, end: usize };

const LexError = error{ UnexpectedByte, UnterminatedString, BadEscape, ControlInString, BadNumber, BadLiteral };

const Lexer = struct {
    src: []const u8,
    pos: usize = 0,

    fn peek(self: *const Lexer) ?u8 {
        return if (self.pos < self.src.len) self.src[self.pos] else null;
    }

    fn digits(self: *Lexer) usize {
        const start = self.pos;
        while (self.peek()) |c| {
            if (!std.ascii.isDigit(c)) break;
            self.pos += 1;
        }
        return self.pos - start;
    }

    fn string(self: *Lexer) LexError!Kind {
        self.pos += 1; // opening quote
        while (true) {
            const c = self.peek() orelse return error.UnterminatedString;
            switch (c) {
                '"' => {
                    self.pos += 1;
                    return .string;
                },
                '\\' => {
                    self.pos += 1;
                    const e = self.peek() orelse return error.BadEscape;
                    switch (e) {
                        '"', '\\', '/', 'b', 'f', 'n', 'r', 't' => self.pos += 1,
                        'u' => {
                            self.pos += 1;
                            if (self.src.len - self.pos < 4) return error.BadEscape;
                            for (self.src[self.pos..][0..4]) |h| {
                                if (!std.ascii.isHex(h)) return error.BadEscape;
                            }
                            self.pos += 4;
                        },
                        else => return error.BadEscape,
                    }
                },
                0...0x1f => return error.ControlInString,
                else => self.pos += 1,
            }
        }
    }

    fn number(self: *Lexer) LexError!Kind {
        if (self.peek() == '-') self.pos += 1;
        const first = self.peek() orelse return error.BadNumber;
        switch (first) {
            '0' => self.pos += 1,
            '1'...'9' => _ = self.digits(),
            else => return error.BadNumber,
        }
        if (self.peek() == '.') {
            self.pos += 1;
            if (self.digits() == 0) return error.BadNumber;
        }
        if (self.peek() == 'e' or self.peek() == 'E') {
            self.pos += 1;
            if (self.peek() == '+' or self.peek() == '-') self.pos += 1;
            if (self.digits() == 0) return error.BadNumber;
        }
        return .number;
    }

    fn literal(self: *Lexer, word: []const u8, kind: Kind) LexError!Kind {
        if (!std.mem.startsWith(u8, self.src[self.pos..], word)) return error.BadLiteral;
        self.pos += word.len;
        return kind;
    }

    fn punct(self: *Lexer, kind: Kind) Kind {
        self.pos += 1;
        return kind;
    }

    /// The next token, null at the end of the input.
    fn next(self: *Lexer) LexError!?Token {
        while (self.peek()) |c| {
            if (c != ' ' and c != '\t' and c != '\n' and c != '\r') break;
            self.pos += 1;
        }
        const start = self.pos;
        const c = self.peek() orelse return null;
        const kind: Kind = switch (c) {
            '{' => self.punct(.lbrace),
            '}' => self.punct(.rbrace),
            '[' => self.punct(.lbracket),
            ']' => self.punct(.rbracket),
            ':' => self.punct(.colon),
            ',' => self.punct(.comma),
            '"' => try self.string(),
            '-', '0'...'9' => try self.number(),
            't' => try self.literal("true", .true_),
            'f' => try self.literal("false", .false_),
            'n' => try self.literal("null", .null_),
            else => return error.UnexpectedByte,
        };
        return .{ .kind = kind, .start = start, .end = self.pos };
    }
};

fn tokens(src: []const u8) !std.ArrayList(Token) {
    var list: std.ArrayList(Token) = .empty;
    errdefer list.deinit(gpa);
    var lexer: Lexer = .{ .src = src };
    while (try lexer.next()) |token| try list.append(gpa, token);
    return list;
}

var counts = [_]u32{0} ** kinds;

export fn alloc(len: usize) ?[*]u8 {
    const buf = gpa.alloc(u8, len) catch return null;
    @memset(buf, 0);
    return buf.ptr;
}

export fn dealloc(ptr: [*]u8, len: usize) void {
    gpa.free(ptr[0..len]);
}

export fn tokenize(ptr: [*]const u8, len: usize) i32 {
    @memset(&counts, 0);
    var list = tokens(ptr[0..len]) catch return -1;
    defer list.deinit(gpa);
    for (list.items) |token| counts[@intFromEnum(token.kind)] += 1;
    return @intCast(list.items.len);
}

export fn count(kind: usize) u32 {
    return if (kind < kinds) counts[kind] else 0;
}
