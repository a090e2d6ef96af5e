(display "the reader rejects the file before anything runs")
(define (f x)
  (+ x 1)
