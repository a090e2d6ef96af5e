;; Re-entering a continuation captured inside `map` builds a new list and leaves the
;; ones returned before as they were (R7RS 6.10).
(define (reentered)
  (let ((k #f) (count 0) (results '()))
    (let ((l (map (lambda (x) (call/cc (lambda (c) (if (= x 2) (set! k c)) x)))
                  '(1 2 3))))
      (set! results (cons l results))
      (set! count (+ count 1))
      (if (< count 3) (k (* 10 count)))
      results)))
(display (reentered))
(newline)
