;; A file that includes itself is an error once the nesting passes the limit, not an
;; expansion without end.
(display "once")
(newline)
(include "include-self.scm")
