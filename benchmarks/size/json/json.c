/* A JSON tokenizer (RFC 8259 lexical grammar), as json.rs: collects the
 * tokens in a growable array, then counts them by kind. ABI: alloc, dealloc,
 * tokenize(ptr, len) -> token count or -1, count(kind). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind { LBRACE, RBRACE, LBRACKET, RBRACKET, COLON, COMMA, STRING, NUMBER, TRUE, FALSE, NUL, KINDS };

struct token {
    enum kind kind;
    size_t start, end;
};

struct lexer {
    const uint8_t *src;
    size_t len, pos;
};

static uint32_t counts[KINDS];

static int peek(const struct lexer *lx) { return lx->pos < lx->len ? lx->src[lx->pos] : -1; }

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static size_t digits(struct lexer *lx) {
    size_t start = lx->pos;
    while (is_digit(peek(lx))) lx->pos++;
    return lx->pos - start;
}

/* Each scanner returns 0 on success, -1 on a lexical error. */
static int scan_string(struct lexer *lx) {
    lx->pos++; /* opening quote */
    for (;;) {
        int c = peek(lx);
        if (c < 0) return -1; /* unterminated */
        if (c == '"') { lx->pos++; return 0; }
        if (c < 0x20) return -1; /* control character */
        if (c == '\\') {
            lx->pos++;
            c = peek(lx);
            if (c == 'u') {
                lx->pos++;
                if (lx->len - lx->pos < 4) return -1;
                for (int i = 0; i < 4; i++) {
                    if (!is_hex(lx->src[lx->pos + i])) return -1;
                }
                lx->pos += 4;
            } else if (c >= 0 && strchr("\"\\/bfnrt", c) && c != 0) {
                lx->pos++;
            } else {
                return -1;
            }
        } else {
            lx->pos++;
        }
    }
}

static int scan_number(struct lexer *lx) {
    if (peek(lx) == '-') lx->pos++;
    int c = peek(lx);
    if (c == '0') lx->pos++;
    else if (c >= '1' && c <= '9') digits(lx);
    else return -1;
    if (peek(lx) == '.') {
        lx->pos++;
        if (digits(lx) == 0) return -1;
    }
    c = peek(lx);
    if (c == 'e' || c == 'E') {
        lx->pos++;
        c = peek(lx);
        if (c == '+' || c == '-') lx->pos++;
        if (digits(lx) == 0) return -1;
    }
    return 0;
}

static int scan_literal(struct lexer *lx, const char *word) {
    size_t n = strlen(word);
    if (lx->len - lx->pos < n || memcmp(lx->src + lx->pos, word, n) != 0) return -1;
    lx->pos += n;
    return 0;
}

/* The next token in *out: 1 if one was found, 0 at the end, -1 on an error. */
static int next_token(struct lexer *lx, struct token *out) {
    for (int c = peek(lx); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(lx)) lx->pos++;
    int c = peek(lx);
    if (c < 0) return 0;
    size_t start = lx->pos;
    int err = 0;
    enum kind kind;
    switch (c) {
    case '{': kind = LBRACE; lx->pos++; break;
    case '}': kind = RBRACE; lx->pos++; break;
    case '[': kind = LBRACKET; lx->pos++; break;
    case ']': kind = RBRACKET; lx->pos++; break;
    case ':': kind = COLON; lx->pos++; break;
    case ',': kind = COMMA; lx->pos++; break;
    case '"': kind = STRING; err = scan_string(lx); break;
    case 't': kind = TRUE; err = scan_literal(lx, "true"); break;
    case 'f': kind = FALSE; err = scan_literal(lx, "false"); break;
    case 'n': kind = NUL; err = scan_literal(lx, "null"); break;
    default:
        if (c == '-' || is_digit(c)) { kind = NUMBER; err = scan_number(lx); break; }
        return -1;
    }
    if (err) return -1;
    out->kind = kind;
    out->start = start;
    out->end = lx->pos;
    return 1;
}

__attribute__((export_name("alloc"))) void *alloc(size_t len) { return calloc(len ? len : 1, 1); }

__attribute__((export_name("dealloc"))) void dealloc(void *ptr, size_t len) {
    (void)len;
    free(ptr);
}

__attribute__((export_name("tokenize"))) int tokenize(const uint8_t *src, size_t len) {
    struct lexer lx = {src, len, 0};
    struct token *tokens = NULL;
    size_t count = 0, cap = 0;
    memset(counts, 0, sizeof counts);
    for (;;) {
        struct token t;
        int r = next_token(&lx, &t);
        if (r == 0) break;
        if (r < 0) { free(tokens); return -1; }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            struct token *grown = realloc(tokens, cap * sizeof *tokens);
            if (!grown) { free(tokens); return -1; }
            tokens = grown;
        }
        tokens[count++] = t;
    }
    for (size_t i = 0; i < count; i++) counts[tokens[i].kind]++;
    free(tokens);
    return (int)count;
}

__attribute__((export_name("count"))) uint32_t count(uint32_t kind) { return kind < KINDS ? counts[kind] : 0; }
