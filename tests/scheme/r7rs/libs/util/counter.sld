(define-library (util counter)
  (export count! count)
  (import (scheme base))
  (begin
    (define n 0)
    (define (count!) (set! n (+ n 1)) n)
    (define (count) n)))
