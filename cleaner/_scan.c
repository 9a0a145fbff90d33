/* Loops over a text's code points in C: `cleaner/_literals.py`, `cleaner/features.py` and
 * `cleaner/clickbait.py` call them when this module is built, and run their numpy versions
 * (the fallback where no compiler built it) otherwise. They give exactly what numpy gives;
 * tests/test_speed.py compares them.
 *
 *   - `find_fragments`: where a `FragmentIndex`'s fragments occur in a text. numpy builds
 *     arrays of every window's key and every candidate's comparison; here a window's key
 *     is looked up and its few fragments compared as the text is read, once.
 *   - `ngram_sums`: the headline models' sums over the hashed n-grams of each headline.
 *     numpy makes an array per n-gram size and gathers each model's weights from its own
 *     arrays; here each n-gram is hashed and its weights (all models', side by side in one
 *     row of a table) read at once, one cache line instead of one per array.
 *   - `fold`: `_literals.fold` of a text from its code points, with the folded code points
 *     the fragment index reads: `str.lower` of a whole batch costs more than the search.
 *   - `line_counts`: the shape features' counts of character classes and words per line,
 *     in one pass; numpy makes a mask per class over the whole text and reduces each. It
 *     counts `patterns.SENTENCE_BREAK`'s matches too, as `findall` finds them: the regex
 *     engine tries the pattern at every character of every line.
 *
 * The hash, buckets and salts are clickbait.py's; the float sums are added in the order of
 * its `bincount`s, so the margins have the same bits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* --- fragments ----------------------------------------------------------------------- */

/* As `_literals.KEY_CHARS` and `_literals.KEY_BITS` (checked there when this is imported). */
#define KEY_CHARS 3
#define KEY_BITS 5
#define KEY_MASK ((1u << KEY_BITS) - 1)
#define N_KEYS (1 << (KEY_BITS * KEY_CHARS))

/* A growing array of (position, fragment id) pairs. */
typedef struct {
    int64_t *pos;
    int64_t *id;
    Py_ssize_t n, cap;
} hits_t;

static int
hits_add(hits_t *h, int64_t pos, int64_t id)
{
    if (h->n == h->cap) {
        Py_ssize_t cap = h->cap ? 2 * h->cap : 256;
        int64_t *p = PyMem_RawRealloc(h->pos, cap * sizeof(int64_t));
        if (p == NULL)
            return 0;
        h->pos = p;
        int64_t *i = PyMem_RawRealloc(h->id, cap * sizeof(int64_t));
        if (i == NULL)
            return 0;
        h->id = i;
        h->cap = cap;
    }
    h->pos[h->n] = pos;
    h->id[h->n] = id;
    h->n++;
    return 1;
}

/* Every (start, fragment) with cps[start : start + lengths[f]] == chars[f], for the fragments
 * listed in `slots` under the key of their first KEY_CHARS code points. 0 if out of memory. */
static int
find_c(const uint32_t *cps, Py_ssize_t n, const int16_t *table, const int64_t *slots,
       Py_ssize_t most, const uint32_t *chars, Py_ssize_t width, const int64_t *lengths,
       hits_t *out)
{
    if (n < KEY_CHARS)
        return 1;
    uint32_t key = 0;
    for (Py_ssize_t k = 0; k < KEY_CHARS - 1; k++)
        key = (key << KEY_BITS) | (cps[k] & KEY_MASK);
    for (Py_ssize_t i = 0; i + KEY_CHARS <= n; i++) {
        key = ((key << KEY_BITS) | (cps[i + KEY_CHARS - 1] & KEY_MASK)) & (N_KEYS - 1);
        int16_t row = table[key];
        if (row <= 0)
            continue;
        const int64_t *slot = slots + row * most;
        for (Py_ssize_t s = 0; s < most && slot[s] >= 0; s++) {
            int64_t f = slot[s];
            int64_t len = lengths[f];
            if (i + len > n)
                continue;
            const uint32_t *want = chars + f * width;
            int64_t k = 0;
            while (k < len && cps[i + k] == want[k])
                k++;
            if (k == len && !hits_add(out, i, f))
                return 0;
        }
    }
    return 1;
}

/* Whether `buf` holds whole code points (uint32), else a ValueError. */
static int
code_points(const Py_buffer *buf, const char *name)
{
    if (buf->len % (Py_ssize_t)sizeof(uint32_t) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: not whole uint32 code points", name);
        return 0;
    }
    return 1;
}

static int
sized(const Py_buffer *buf, Py_ssize_t item, Py_ssize_t count, const char *name)
{
    if (buf->len != item * count) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd items of %zd bytes",
                     name, buf->len, count, item);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(find_fragments_doc,
"find_fragments(cps, table, slots, most, chars, width, lengths) -> (positions, ids)\n\n"
"Every occurrence of the fragments in cps (uint32 code points), as two bytes objects of\n"
"int64: its start and its fragment. table: int16 row of slots for each key; slots: int64\n"
"rows of `most` fragment ids, padded with -1; chars: uint32 rows of `width` code points;\n"
"lengths: int64 per fragment (those in slots at least KEY_CHARS long).");

static PyObject *
find_fragments(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer cps, table, slots, chars, lengths;
    Py_ssize_t most, width;
    if (!PyArg_ParseTuple(args, "y*y*y*ny*ny*", &cps, &table, &slots, &most, &chars, &width,
                          &lengths))
        return NULL;
    PyObject *result = NULL;
    hits_t hits = {NULL, NULL, 0, 0};
    Py_ssize_t n_frags = lengths.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n_rows = most > 0 ? slots.len / (Py_ssize_t)sizeof(int64_t) / most : 0;
    if (most <= 0 || width <= 0) {
        PyErr_SetString(PyExc_ValueError, "most and width must be positive");
        goto done;
    }
    if (!code_points(&cps, "cps") || !sized(&table, sizeof(int16_t), N_KEYS, "table")
        || !sized(&lengths, sizeof(int64_t), n_frags, "lengths")
        || !sized(&slots, sizeof(int64_t), n_rows * most, "slots")
        || !sized(&chars, sizeof(uint32_t), n_frags * width, "chars")) {
        goto done;
    }
    /* The indices the loop follows, checked once: rows, fragment ids and lengths. */
    const int16_t *t = table.buf;
    for (Py_ssize_t k = 0; k < N_KEYS; k++) {
        if (t[k] >= n_rows) {
            PyErr_SetString(PyExc_ValueError, "table: a row outside slots");
            goto done;
        }
    }
    const int64_t *s = slots.buf, *len = lengths.buf;
    for (Py_ssize_t k = 0; k < n_rows * most; k++) {
        if (s[k] >= n_frags || s[k] < -1) {
            PyErr_SetString(PyExc_ValueError, "slots: a fragment id outside lengths");
            goto done;
        }
    }
    for (Py_ssize_t f = 0; f < n_frags; f++) {
        if (len[f] < 1 || len[f] > width) {
            PyErr_SetString(PyExc_ValueError, "lengths: a fragment empty or wider than chars");
            goto done;
        }
    }
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = find_c(cps.buf, cps.len / (Py_ssize_t)sizeof(uint32_t), t, s, most, chars.buf, width,
                len, &hits);
    Py_END_ALLOW_THREADS
    if (!ok) {
        PyErr_NoMemory();
        goto done;
    }
    /* (y# of a NULL pointer would be None: no hits are empty bytes.) */
    result = Py_BuildValue("(y#y#)", hits.n ? (const char *)hits.pos : "",
                           hits.n * (Py_ssize_t)sizeof(int64_t),
                           hits.n ? (const char *)hits.id : "", hits.n * (Py_ssize_t)sizeof(int64_t));
done:
    PyMem_RawFree(hits.pos);
    PyMem_RawFree(hits.id);
    PyBuffer_Release(&cps);
    PyBuffer_Release(&table);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&chars);
    PyBuffer_Release(&lengths);
    return result;
}

/* --- line shapes -------------------------------------------------------------------- */

/* Counted per line, in this order (features.py's `SHAPE_COUNTS`). */
enum { LETTERS, UPPER_LETTERS, WORDS, WORD_CHARS, TITLE_WORDS, LOWER_WORDS, DIGITS, PUNCTS, PIPES,
       SENTENCE_BREAKS, ENDS_QUESTION, ENDS_SENTENCE, COLON_IN_HEAD, N_COUNTS };

/* What a mark is to the counts (features.py's `_ROLE_*`, checked there when this is imported):
 * punctuation; a question's or a sentence's closing quote or bracket, after its last mark;
 * that mark; a colon. */
enum { ROLE_PUNCT = 1, ROLE_QUESTION_TAIL = 2, ROLE_QUESTION = 4, ROLE_SENTENCE_TAIL = 8,
       ROLE_SENTENCE_END = 16, ROLE_COLON = 32 };

typedef struct {
    unsigned char ascii[128];    /* the roles of the ASCII code points */
    const uint32_t *other;       /* the other marks, sorted, */
    const unsigned char *roles;  /* and their roles */
    Py_ssize_t n_other;
} marks_t;

static unsigned
role_of(const marks_t *m, uint32_t cp)
{
    if (cp < 128)
        return m->ascii[cp];
    for (Py_ssize_t k = 0; k < m->n_other && m->other[k] <= cp; k++)
        if (m->other[k] == cp)
            return m->roles[k];
    return 0;
}

/* Whether the line, `tail` marks taken off its end (as str.rstrip), ends in an `end` mark. */
static int
ends_in(const uint32_t *cps, Py_ssize_t n, const marks_t *m, unsigned tail, unsigned end)
{
    while (n > 0 && (role_of(m, cps[n - 1]) & tail))
        n--;
    return n > 0 && (role_of(m, cps[n - 1]) & end) != 0;
}

/* A character's classes, as `str` methods (and re's \w: alphanumeric or `_`) tell them. */
enum { C_ALPHA = 1, C_UPPER = 2, C_LOWER = 4, C_DIGIT = 8, C_PUNCT = 16, C_WORD = 32 };

static unsigned
classes(const marks_t *marks, Py_UCS4 ch)
{
    return (Py_UNICODE_ISALPHA(ch) ? C_ALPHA : 0) | (Py_UNICODE_ISUPPER(ch) ? C_UPPER : 0)
           | (Py_UNICODE_ISLOWER(ch) ? C_LOWER : 0) | (Py_UNICODE_ISDIGIT(ch) ? C_DIGIT : 0)
           | (role_of(marks, ch) & ROLE_PUNCT ? C_PUNCT : 0)
           | (Py_UNICODE_ISALNUM(ch) || ch == '_' ? C_WORD : 0);
}

/* Where a line stands in `SENTENCE_BREAK`, [.!?]["”’')\]]*\s+["“‘(]?[A-Z], read a character
 * at a time: each part of it is a class of characters none of the next part's, so the
 * engine never backtracks into a part, and no match can start inside another but at a
 * mark of the end of a sentence, which starts one afresh wherever it stands. */
enum { SB_NONE, SB_MARK, SB_SPACE, SB_OPENER };

static int
sentence_mark(Py_UCS4 ch)
{
    return ch == '.' || ch == '!' || ch == '?';
}

/* The state after `ch`; `*found` is set when it completes a match (findall goes on after it). */
static int
sentence_step(int state, Py_UCS4 ch, int64_t *found)
{
    if (sentence_mark(ch))
        return SB_MARK;
    switch (state) {
    case SB_MARK:
        if (ch == '"' || ch == 0x201D || ch == 0x2019 || ch == '\'' || ch == ')' || ch == ']')
            return SB_MARK;
        return Py_UNICODE_ISSPACE(ch) ? SB_SPACE : SB_NONE;
    case SB_SPACE:
        if (Py_UNICODE_ISSPACE(ch))
            return SB_SPACE;
        if (ch == '"' || ch == 0x201C || ch == 0x2018 || ch == '(')
            return SB_OPENER;
        /* fall through: an uppercase ASCII letter ends a match here as after an opener */
    case SB_OPENER:
        *found += ch >= 'A' && ch <= 'Z';
        return SB_NONE;
    default:
        return SB_NONE;
    }
}

/* The counts of one line (words: runs of \w characters); `ascii` holds the classes of the
 * first 128 code points, worked out once a call. */
static void
count_line(const uint32_t *cps, Py_ssize_t n, const marks_t *marks, const unsigned char *ascii,
           Py_ssize_t head, int64_t *out)
{
    int64_t c[N_COUNTS] = {0};
    unsigned previous = 0;
    int state = SB_NONE;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = cps[i];
        unsigned k = ch < 128 ? ascii[ch] : classes(marks, ch);
        unsigned starts_word = (k & C_WORD) && !(previous & C_WORD);
        c[LETTERS] += (k & C_ALPHA) != 0;
        c[UPPER_LETTERS] += (k & (C_ALPHA | C_UPPER)) == (C_ALPHA | C_UPPER);
        c[WORDS] += starts_word;
        c[WORD_CHARS] += (k & C_WORD) != 0;
        c[TITLE_WORDS] += starts_word && (k & C_UPPER);
        c[LOWER_WORDS] += starts_word && (k & C_LOWER);
        c[DIGITS] += (k & C_DIGIT) != 0;
        c[PUNCTS] += (k & C_PUNCT) != 0;
        c[PIPES] += ch == '|';
        if (state != SB_NONE || sentence_mark(ch))
            state = sentence_step(state, ch, &c[SENTENCE_BREAKS]);
        c[COLON_IN_HEAD] |= i < head && (role_of(marks, ch) & ROLE_COLON);
        previous = k;
    }
    c[ENDS_QUESTION] = ends_in(cps, n, marks, ROLE_QUESTION_TAIL, ROLE_QUESTION);
    c[ENDS_SENTENCE] = ends_in(cps, n, marks, ROLE_SENTENCE_TAIL, ROLE_SENTENCE_END);
    for (int j = 0; j < N_COUNTS; j++)
        out[j] = c[j];
}

PyDoc_STRVAR(line_counts_doc,
"line_counts(cps, starts, lengths, marks, roles, head, out)\n\n"
"The N_COUNTS counts of each line cps[starts[i] : starts[i] + lengths[i]] (cps: uint32 code\n"
"points; starts, lengths: int64) into out (int64, N_COUNTS per line). marks: uint32 code\n"
"points, sorted; roles: a uint8 of ROLE_* bits for each; head: the characters a colon\n"
"counts in.");

static PyObject *
line_counts(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer cps, starts, lengths, mark_cps, mark_roles, out;
    Py_ssize_t head;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*nw*", &cps, &starts, &lengths, &mark_cps, &mark_roles,
                          &head, &out))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n_cps = cps.len / (Py_ssize_t)sizeof(uint32_t);
    Py_ssize_t n_lines = starts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n_marks = mark_cps.len / (Py_ssize_t)sizeof(uint32_t);
    if (!code_points(&cps, "cps") || !sized(&starts, sizeof(int64_t), n_lines, "starts")
        || !sized(&lengths, sizeof(int64_t), n_lines, "lengths")
        || !sized(&mark_cps, sizeof(uint32_t), n_marks, "marks")
        || !sized(&mark_roles, 1, n_marks, "roles")
        || !sized(&out, sizeof(int64_t) * N_COUNTS, n_lines, "out")) {
        goto done;
    }
    const int64_t *at = starts.buf, *len = lengths.buf;
    for (Py_ssize_t i = 0; i < n_lines; i++) {
        if (at[i] < 0 || len[i] < 0 || at[i] > n_cps || len[i] > n_cps - at[i]) {
            PyErr_SetString(PyExc_ValueError, "a line outside cps");
            goto done;
        }
    }
    marks_t marks = {{0}, NULL, NULL, 0};
    const uint32_t *points = mark_cps.buf;
    const unsigned char *roles = mark_roles.buf;
    for (Py_ssize_t k = 0; k < n_marks; k++) {
        if (k > 0 && points[k] <= points[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "marks: not sorted");
            goto done;
        }
        if (points[k] < 128)
            marks.ascii[points[k]] = roles[k];
        else if (marks.other == NULL) {
            marks.other = points + k;
            marks.roles = roles + k;
            marks.n_other = n_marks - k;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    unsigned char ascii[128];
    for (Py_UCS4 ch = 0; ch < 128; ch++)
        ascii[ch] = (unsigned char)classes(&marks, ch);
    const uint32_t *text = cps.buf;
    int64_t *counts = out.buf;
    for (Py_ssize_t i = 0; i < n_lines; i++)
        count_line(text + at[i], len[i], &marks, ascii, head, counts + i * N_COUNTS);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&cps);
    PyBuffer_Release(&starts);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&mark_cps);
    PyBuffer_Release(&mark_roles);
    PyBuffer_Release(&out);
    return result;
}

/* --- folding ------------------------------------------------------------------------ */

/* Capital sigma: `str.lower` makes it final or not by its neighbours. */
#define CAPITAL_SIGMA 0x3A3

/* `_literals.fold` of one code point that is not a capital sigma: `str.lower`'s mapping (the
 * simple one: the full one differs only at dotted capital I, taken to `i` first as below),
 * after `_FOLD_EXTRA` takes dotted capital I, dotless small i and long s to ASCII. */
static uint32_t
fold_point(uint32_t cp)
{
    if (cp < 128)
        return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    if (cp == 0x130 || cp == 0x131)
        return 'i';
    if (cp == 0x17F)
        return 's';
    return (uint32_t)Py_UNICODE_TOLOWER((Py_UCS4)cp);
}

PyDoc_STRVAR(fold_doc,
"fold(cps) -> (str, bytes) | None\n\n"
"`_literals.fold` of the text whose uint32 code points are cps, and the folded text's code\n"
"points; None if the text holds a capital sigma.");

static PyObject *
fold(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer cps;
    if (!PyArg_ParseTuple(args, "y*", &cps))
        return NULL;
    PyObject *result = NULL, *text = NULL, *points = NULL;
    if (!code_points(&cps, "cps"))
        goto done;
    Py_ssize_t n = cps.len / (Py_ssize_t)sizeof(uint32_t);
    const uint32_t *in = cps.buf;
    points = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(uint32_t));
    if (points == NULL)
        goto done;
    uint32_t *out = (uint32_t *)PyBytes_AS_STRING(points);
    int sigma = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        sigma |= in[i] == CAPITAL_SIGMA;
        out[i] = fold_point(in[i]);
    }
    Py_END_ALLOW_THREADS
    if (sigma) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n);  /* refuses code points past U+10FFFF */
    if (text != NULL)
        result = PyTuple_Pack(2, text, points);
done:
    Py_XDECREF(text);
    Py_XDECREF(points);
    PyBuffer_Release(&cps);
    return result;
}

/* --- n-grams ------------------------------------------------------------------------- */

/* As clickbait.py's `_BASE`, `_SALT_*` and `_SPREAD` (checked there when this is imported). */
#define BASE 0x100000001B3ull
#define SALT_CHAR 0x9E3779B97F4A7C15ull
#define SALT_WORD 0xC2B2AE3D27D4EB4Full
#define SALT_BIGRAM 0x165667B19E3779F9ull
#define SPREAD 0xD6E8FEB86659FD93ull
/* Longest char n-gram, and most models scored at once. */
#define MAX_N 16
#define MAX_MODELS 4

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static inline uint64_t
bucket(uint64_t hash, uint64_t salt, int bits)
{
    return ((hash ^ salt) * SPREAD) >> (64 - bits);
}

/* A letter or digit of a word, as clickbait.py's `_ASCII_ALNUM`: anything non-ASCII counts. */
static inline int
alnum(uint32_t cp)
{
    return cp >= 128 || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z')
           || (cp >= 'a' && cp <= 'z');
}

typedef struct {
    int char_lo, char_hi, word_lo, word_hi, bits, n_models;
    const double *table;  /* per bucket: weight and norm term of each model, side by side */
} ngram_cfg;

/* sum[m] (a group's partial sums) += the table row of `b`: weights at even, norms at odd. */
static inline void
gather(const ngram_cfg *cfg, uint64_t b, double *restrict sum)
{
    const double *restrict row = cfg->table + b * 2 * cfg->n_models;
    for (int j = 0; j < 2 * cfg->n_models; j++)
        sum[j] += row[j];
}

static inline void
flush(const ngram_cfg *cfg, double *group, double *out)
{
    for (int j = 0; j < 2 * cfg->n_models; j++) {
        out[j] += group[j];
        group[j] = 0.0;
    }
}

/* One padded headline: out[2m], out[2m+1] = model m's weighted sum and norm sum, added
 * group by group (char n-grams by length, words, word pairs), each group in text order and
 * from 0, as numpy's `num += bincount(...)` adds them. Scratch: `word`, n bytes; `buckets`,
 * n * (char_hi + 1) entries. The char n-grams' buckets are all worked out (and their table
 * rows fetched) before any is added: the fetches overlap instead of waiting on each other. */
static void
ngram_one(const ngram_cfg *cfg, const uint32_t *cps, Py_ssize_t n, unsigned char *word,
          uint32_t *buckets, double *out)
{
    Py_ssize_t w = 2 * cfg->n_models;
    for (int j = 0; j < w; j++)
        out[j] = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t hash = 0, power = 1;
        for (int len = 1; len <= cfg->char_hi && i + len <= n; len++) {
            hash += ((uint64_t)cps[i + len - 1] + 1) * power;
            power *= BASE;
            if (len >= cfg->char_lo) {
                uint32_t b = (uint32_t)bucket(hash, SALT_CHAR + (uint64_t)len, cfg->bits);
                buckets[len * n + i] = b;
                PREFETCH(cfg->table + b * w);
            }
        }
    }
    for (int len = cfg->char_lo; len <= cfg->char_hi; len++) {
        double group[2 * MAX_MODELS] = {0};
        for (Py_ssize_t i = 0; i + len <= n; i++)
            gather(cfg, buckets[len * n + i], group);
        flush(cfg, group, out);
    }

    /* Words: runs of letters and digits, an apostrophe between two of them inside. */
    for (Py_ssize_t i = 0; i < n; i++)
        word[i] = (unsigned char)alnum(cps[i]);
    for (Py_ssize_t i = 1; i + 1 < n; i++)
        if (cps[i] == '\'')
            word[i] = alnum(cps[i - 1]) && alnum(cps[i + 1]);
    double words[2 * MAX_MODELS] = {0}, pairs[2 * MAX_MODELS] = {0};
    uint64_t previous = 0;
    int has_previous = 0;
    for (Py_ssize_t i = 0; i < n;) {
        if (!word[i]) {
            i++;
            continue;
        }
        uint64_t hash = 0, power = 1;
        for (; i < n && word[i]; i++) {
            hash += ((uint64_t)cps[i] + 1) * power;
            power *= BASE;
        }
        if (cfg->word_lo <= 1)
            gather(cfg, bucket(hash, SALT_WORD, cfg->bits), words);
        if (cfg->word_hi >= 2 && has_previous)
            gather(cfg, bucket(previous * BASE + hash, SALT_BIGRAM, cfg->bits), pairs);
        previous = hash;
        has_previous = 1;
    }
    flush(cfg, words, out);
    flush(cfg, pairs, out);
}

PyDoc_STRVAR(ngram_sums_doc,
"ngram_sums(cps, lengths, char_lo, char_hi, word_lo, word_hi, bits, table, n_models, out)\n\n"
"For each headline (cps: uint32 code points of the padded headlines one after another,\n"
"lengths: int64 each), each model's sum of weights and of norm terms over its hashed\n"
"n-grams, into out (float64, 2 * n_models per headline). table: float64 rows of\n"
"2 * n_models per bucket, 2**bits rows.");

static PyObject *
ngram_sums(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer cps, lengths, table, out;
    ngram_cfg cfg;
    if (!PyArg_ParseTuple(args, "y*y*iiiiiy*iw*", &cps, &lengths, &cfg.char_lo, &cfg.char_hi,
                          &cfg.word_lo, &cfg.word_hi, &cfg.bits, &table, &cfg.n_models, &out))
        return NULL;
    PyObject *result = NULL;
    unsigned char *word = NULL;
    uint32_t *buckets = NULL;
    Py_ssize_t n_texts = lengths.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n_cps = cps.len / (Py_ssize_t)sizeof(uint32_t);
    if (cfg.char_lo < 1 || cfg.char_hi < cfg.char_lo || cfg.char_hi > MAX_N || cfg.word_lo < 1
        || cfg.word_hi < cfg.word_lo || cfg.word_hi > 2 || cfg.bits < 1 || cfg.bits > 30
        || cfg.n_models < 1 || cfg.n_models > MAX_MODELS) {
        PyErr_SetString(PyExc_ValueError, "n-gram settings out of range");
        goto done;
    }
    Py_ssize_t width = 2 * (Py_ssize_t)cfg.n_models;
    if (!code_points(&cps, "cps") || !sized(&lengths, sizeof(int64_t), n_texts, "lengths")
        || !sized(&table, sizeof(double) * width, (Py_ssize_t)1 << cfg.bits, "table")
        || !sized(&out, sizeof(double) * width, n_texts, "out")) {
        goto done;
    }
    const int64_t *len = lengths.buf;
    Py_ssize_t total = 0, longest = 0;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        if (len[t] < 0 || len[t] > n_cps - total) {
            PyErr_SetString(PyExc_ValueError, "lengths: more code points than cps holds");
            goto done;
        }
        total += len[t];
        longest = len[t] > longest ? len[t] : longest;
    }
    if (total != n_cps) {
        PyErr_SetString(PyExc_ValueError, "lengths: fewer code points than cps holds");
        goto done;
    }
    word = PyMem_Malloc(longest + 1);
    buckets = PyMem_Malloc(sizeof(uint32_t) * (longest + 1) * (cfg.char_hi + 1));
    if (word == NULL || buckets == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    cfg.table = table.buf;
    Py_BEGIN_ALLOW_THREADS
    const uint32_t *at = cps.buf;
    double *sums = out.buf;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        ngram_one(&cfg, at, len[t], word, buckets, sums + t * width);
        at += len[t];
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(word);
    PyMem_Free(buckets);
    PyBuffer_Release(&cps);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&table);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"find_fragments", find_fragments, METH_VARARGS, find_fragments_doc},
    {"ngram_sums", ngram_sums, METH_VARARGS, ngram_sums_doc},
    {"line_counts", line_counts, METH_VARARGS, line_counts_doc},
    {"fold", fold, METH_VARARGS, fold_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_scan",
    .m_doc = "Loops over a text's code points in C (see cleaner/_literals.py, cleaner/clickbait.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__scan(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddIntConstant(m, "KEY_CHARS", KEY_CHARS) < 0
        || PyModule_AddIntConstant(m, "KEY_BITS", KEY_BITS) < 0
        || PyModule_AddIntConstant(m, "N_COUNTS", N_COUNTS) < 0
        || PyModule_AddObject(m, "ROLES", Py_BuildValue("(iiiiii)", ROLE_PUNCT, ROLE_QUESTION_TAIL,
                                                        ROLE_QUESTION, ROLE_SENTENCE_TAIL,
                                                        ROLE_SENTENCE_END, ROLE_COLON)) < 0
        || PyModule_AddObject(m, "BASE", PyLong_FromUnsignedLongLong(BASE)) < 0
        || PyModule_AddObject(m, "SALTS", Py_BuildValue("(KKK)", SALT_CHAR, SALT_WORD, SALT_BIGRAM)) < 0
        || PyModule_AddObject(m, "SPREAD", PyLong_FromUnsignedLongLong(SPREAD)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
