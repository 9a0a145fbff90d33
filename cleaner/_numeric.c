/* `cleaner/numeric.py`'s exp in C: one call for an array, where Python calls `math.exp` once
 * a value. `math.exp` is the C library's `exp` (CPython adds only error checks, and none
 * applies below `numeric._EXP_MAX`), so calling it here gives the same bits; without this
 * module, numeric.py maps `math.exp` over the values. tests/test_speed.py compares them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

PyDoc_STRVAR(exp_each_doc,
"exp_each(x, out, largest)\n\n"
"out[i] = exp(x[i]) for x[i] <= largest, NaN for NaN, inf otherwise (x, out: float64).");

static PyObject *
exp_each(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer x, out;
    double largest;
    if (!PyArg_ParseTuple(args, "y*w*d", &x, &out, &largest))
        return NULL;
    PyObject *result = NULL;
    if (x.len % sizeof(double) != 0 || out.len != x.len) {
        PyErr_SetString(PyExc_ValueError, "x and out must be float64 arrays of one size");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    const double *in = x.buf;
    double *res = out.buf;
    for (Py_ssize_t i = 0, n = x.len / (Py_ssize_t)sizeof(double); i < n; i++) {
        double v = in[i];
        res[i] = v <= largest ? exp(v) : (isnan(v) ? NAN : INFINITY);
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"exp_each", exp_each, METH_VARARGS, exp_each_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_numeric",
    .m_doc = "numeric.py's exp in C (see cleaner/numeric.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__numeric(void)
{
    return PyModule_Create(&module);
}
