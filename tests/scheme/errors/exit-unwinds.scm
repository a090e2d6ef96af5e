; exit runs the after procedures of the dynamic-wind extents it leaves, innermost first;
; emergency-exit (in the inner extent) does not.
(dynamic-wind
  (lambda () (display "outer in") (newline))
  (lambda ()
    (dynamic-wind
      (lambda () (display "inner in") (newline))
      (lambda () (exit 4))
      (lambda () (display "inner out") (newline))))
  (lambda () (display "outer out") (newline)))
(display "not reached")
