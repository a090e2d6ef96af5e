;; #e reads a decimal as its exact value (R7RS 6.2.5): #e1.1 is 11/10, not the exact
;; value of the flonum nearest 1.1, which (exact 1.1) gives.
(write (list #e1.1 #e-0.5 #e1.5e-2 (string->number "#e0.1") (exact 1.1) (exact->inexact #e1e-400)))
(newline)
(write #e1e309)
(newline)
