# Types for the compiled build (Cython's augmenting .pxd; gazetteer.py stays plain Python).
import cython

@cython.locals(n=cython.Py_ssize_t, start=cython.Py_ssize_t, end=cython.Py_ssize_t,
               length=cython.Py_ssize_t, ws=cython.Py_ssize_t, we=cython.Py_ssize_t,
               c=cython.Py_UCS4, prefix=str, suffix=str, tail_ok=cython.bint, out=list)
cpdef list _find(automaton, str norm, str original)
