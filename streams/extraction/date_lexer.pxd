# Types for the compiled build (Cython's augmenting .pxd; date_lexer.py stays plain Python): the token
# loop of lex with typed offsets and strings.
import cython

@cython.locals(out=list, raw=list, n=cython.Py_ssize_t, cursor=cython.Py_ssize_t,
               i=cython.Py_ssize_t, k=cython.Py_ssize_t, last=cython.Py_ssize_t,
               a=cython.Py_ssize_t, b=cython.Py_ssize_t, pos=cython.Py_ssize_t,
               pos2=cython.Py_ssize_t, end=cython.Py_ssize_t,
               t=str, core=str, num=str, key=str, k_key=str, found_key=str, nxt=str, end_tok=str,
               clitic=cython.bint, tail_clean=cython.bint, not_date=set)
cpdef list lex(str text)
