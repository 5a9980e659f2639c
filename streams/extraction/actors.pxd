# Types for the compiled build (Cython's augmenting .pxd; actors.py stays plain Python): the small
# helpers analyse calls for every mention pair, called C to C inside the compiled module.
import cython

@cython.locals(j=cython.Py_ssize_t)
cpdef str prev_word(str norm, Py_ssize_t pos)

@cython.locals(n=cython.Py_ssize_t)
cpdef _words_between(str norm, Py_ssize_t a, Py_ssize_t b)

cpdef _has_break(str norm, Py_ssize_t a, Py_ssize_t b)

@cython.locals(out=list, cands=list, topics=set)
cpdef tuple _select(mentions)
