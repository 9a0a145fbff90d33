/* The boosted trees' walk in C: `cleaner/_trees.py` calls it when this module is built.
 *
 * `add_leaves` adds the leaf values of a range of boosting iterations to raw predictions,
 * as scikit-learn's HistGradientBoosting sums them: for each row and class, iteration by
 * iteration, in order, so the float sums have the same bits as scikit-learn's (and as the
 * numpy walk of `_trees.py`, which stays the fallback where no compiler built this).
 *
 * Speed comes from three things the numpy walk cannot do:
 *   - a row does not ask at each level whether it has reached a leaf (a leaf is its own
 *     child, so a row that reached one stays there): no branch to mispredict. Every
 *     `STOP_CHECK_EVERY` levels the rows walking together stop if all are at leaves, and
 *     at the latest at the tree's depth;
 *   - `LANES` rows walk the same tree side by side, so their chains of dependent loads
 *     overlap instead of waiting on each other;
 *   - `BLOCK_ROWS` rows walk all the trees before the next ones, out of the core's cache.
 *
 * The arrays come from `Forest.walk_arrays()`, which lays nodes out as `node_t` below and
 * checks them when the model is loaded (children within their tree, features within the
 * row). This code checks the sizes of what it is given, not the trees again.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

/* One node, 24 bytes; `Forest.walk_arrays` builds a numpy structured array of this layout. */
typedef struct {
    double threshold;    /* go left if x <= threshold */
    int32_t feature;     /* 0 at a leaf */
    int32_t left;        /* global node indices; a leaf's are its own */
    int32_t right;
    uint8_t missing_left; /* where a NaN goes */
    uint8_t pad[3];
} node_t;

_Static_assert(sizeof(node_t) == 24, "node_t must match Forest.walk_arrays' dtype");

/* Rows walked side by side through one tree. */
#define LANES 8
/* Rows that walk every tree before the next rows start: their features (under 100 kB) stay
 * in the core's cache while the trees pass, and each tree's nodes stay there while its
 * lanes pass. Walking all trees for each group of lanes read every tree from further away
 * for every group: the line model's walk over the article corpus's rows took 185 ms that
 * way, 143 ms so (blocks of 16 to 256 rows were within 12 % of each other, 256 the fastest
 * in one run; 4 or 16 lanes instead of 8 were slower). */
#define BLOCK_ROWS 64
/* Every this many levels, the lanes stop if all of them are at a leaf: the shipped trees
 * are up to 20 levels deep, most rows reach a leaf in far fewer. */
#define STOP_CHECK_EVERY 2

/* The leaf each of `lanes` rows (`x`, spare lanes repeating the first) reaches in the tree
 * whose root is `root`, `depth` levels deep. */
static void
walk_tree(const double *const *x, const node_t *nodes, int32_t root, int32_t depth,
          int32_t *node)
{
    for (int l = 0; l < LANES; l++)
        node[l] = root;
    for (int32_t d = 1; d <= depth; d++) {
        for (int l = 0; l < LANES; l++) {
            const node_t *p = nodes + node[l];
            double v = x[l][p->feature];
            /* NaN compares false (left); it goes right where the split says so.
             * (isnan is only promised to be non-zero for a NaN, not 1.) */
            int right = (v > p->threshold) | ((isnan(v) != 0) & !p->missing_left);
            node[l] = right ? p->right : p->left;
        }
        if (d % STOP_CHECK_EVERY == 0 && d < depth) {
            int walking = 0;
            for (int l = 0; l < LANES; l++)
                walking |= nodes[node[l]].left != node[l];
            if (!walking)
                return;
        }
    }
}

static void
add_leaves_c(const double *X, Py_ssize_t n_rows, Py_ssize_t n_cols, const int64_t *tree_start,
             const node_t *nodes, const int32_t *depth, const double *value, Py_ssize_t n_classes,
             Py_ssize_t start, Py_ssize_t stop, double *raw)
{
    for (Py_ssize_t b0 = 0; b0 < n_rows; b0 += BLOCK_ROWS) {
        Py_ssize_t b1 = n_rows - b0 < BLOCK_ROWS ? n_rows : b0 + BLOCK_ROWS;
        for (Py_ssize_t c = 0; c < n_classes; c++) {
            for (Py_ssize_t it = start; it < stop; it++) {  /* in order: the sums' bits */
                Py_ssize_t tree = it * n_classes + c;
                for (Py_ssize_t r0 = b0; r0 < b1; r0 += LANES) {
                    int lanes = b1 - r0 < LANES ? (int)(b1 - r0) : LANES;
                    const double *x[LANES];
                    int32_t node[LANES];
                    for (int l = 0; l < LANES; l++)
                        x[l] = X + (r0 + (l < lanes ? l : 0)) * n_cols;
                    walk_tree(x, nodes, (int32_t)tree_start[tree], depth[tree], node);
                    double *out = raw + c * n_rows + r0;  /* raw is (class, row) */
                    for (int l = 0; l < lanes; l++)
                        out[l] += value[node[l]];
                }
            }
        }
    }
}

static int
sized(const Py_buffer *buf, Py_ssize_t item, Py_ssize_t at_least, const char *name)
{
    if (buf->len % item != 0 || buf->len / item < at_least) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected at least %zd items of %zd bytes",
                     name, buf->len, at_least, item);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(add_leaves_doc,
"add_leaves(X, n_cols, tree_start, nodes, depth, value, n_classes, start, stop, raw)\n\n"
"Add the leaf values of iterations [start, stop) to raw, a (n_classes, n_rows) float64\n"
"buffer, in place. X: C-contiguous float64 rows of n_cols; tree_start: int64 root per tree;\n"
"nodes: node records; depth: int32 levels per tree; value: float64 per node.");

static PyObject *
add_leaves(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer X, tree_start, nodes, depth, value, raw;
    Py_ssize_t n_cols, n_classes, start, stop;
    if (!PyArg_ParseTuple(args, "y*ny*y*y*y*nnnw*", &X, &n_cols, &tree_start, &nodes, &depth,
                          &value, &n_classes, &start, &stop, &raw))
        return NULL;
    PyObject *result = NULL;
    const int64_t *roots = tree_start.buf;
    Py_ssize_t n_nodes = nodes.len / (Py_ssize_t)sizeof(node_t);
    Py_ssize_t n_rows = n_cols > 0 ? X.len / (Py_ssize_t)sizeof(double) / n_cols : 0;
    if (n_cols <= 0 || n_classes <= 0 || start < 0 || stop < start) {
        PyErr_SetString(PyExc_ValueError, "n_cols and n_classes must be positive, 0 <= start <= stop");
        goto done;
    }
    if (!sized(&X, sizeof(double) * n_cols, 0, "X")
        || !sized(&tree_start, sizeof(int64_t), stop * n_classes, "tree_start")
        || !sized(&nodes, sizeof(node_t), 0, "nodes")
        || !sized(&depth, sizeof(int32_t), stop * n_classes, "depth")
        || !sized(&value, sizeof(double), n_nodes, "value")
        || !sized(&raw, sizeof(double) * n_classes, n_rows, "raw"))
        goto done;
    if (raw.len / (Py_ssize_t)sizeof(double) != n_rows * n_classes) {
        PyErr_SetString(PyExc_ValueError, "raw must hold n_classes values for each row of X");
        goto done;
    }
    for (Py_ssize_t t = start * n_classes; t < stop * n_classes; t++) {
        if (roots[t] < 0 || roots[t] >= n_nodes) {
            PyErr_SetString(PyExc_ValueError, "a tree's root is outside the nodes");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    add_leaves_c(X.buf, n_rows, n_cols, roots, nodes.buf, depth.buf, value.buf, n_classes, start,
                 stop, raw.buf);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&X);
    PyBuffer_Release(&tree_start);
    PyBuffer_Release(&nodes);
    PyBuffer_Release(&depth);
    PyBuffer_Release(&value);
    PyBuffer_Release(&raw);
    return result;
}

static PyMethodDef methods[] = {
    {"add_leaves", add_leaves, METH_VARARGS, add_leaves_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_walk",
    .m_doc = "The boosted trees' walk in C (see cleaner/_trees.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__walk(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "NODE_BYTES", (long)sizeof(node_t)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
