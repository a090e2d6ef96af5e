; emergency-exit leaves at once: no after procedure runs.
(dynamic-wind
  (lambda () (display "in") (newline))
  (lambda () (emergency-exit 5))
  (lambda () (display "after: not reached") (newline)))
