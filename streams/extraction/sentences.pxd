# Types for the compiled build (Cython's augmenting .pxd; sentences.py stays plain Python):
# sentence splitting walks characters, which typed offsets and Py_UCS4 make C-level tests.
import cython

@cython.locals(i=cython.Py_ssize_t, j=cython.Py_ssize_t, k=cython.Py_ssize_t,
               start=cython.Py_ssize_t, pos=cython.Py_ssize_t, c=cython.Py_UCS4, closed=cython.bint,
               run=str)
cpdef _paragraph_spans(str text, Py_ssize_t pa, Py_ssize_t pb, list spans)

cpdef _add_span(str text, Py_ssize_t a, Py_ssize_t b, list spans)

@cython.locals(word=str, low=str, last=str)
cpdef bint _is_abbreviation(str text, Py_ssize_t dot_pos) except -1
