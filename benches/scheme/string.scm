(define (grow s n) (if (= n 0) s (grow (string-append s "ab") (- n 1))))
(define (count-b s)
  (let loop ((i 0) (n 0))
    (if (= i (string-length s)) n
        (loop (+ i 1) (if (char=? (string-ref s i) #\b) (+ n 1) n)))))
(define (run k acc)
  (if (= k 0) acc
      (let ((s (grow "" 2000)))
        (run (- k 1) (+ acc (count-b s) (string-length (symbol->string (string->symbol (substring s 0 10)))))))))
(display (run 250 0))
(newline)
