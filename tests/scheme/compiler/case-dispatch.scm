;; `case` tests symbols, fixnums, characters and flonums that fit a word with `eq?`
;; (one datum) or an inline `memq` (several), and heap numbers with `eqv?` and `memv`;
;; `memq` walks short lists inline and gives the rest to the builtin.
(define (classify x)
  (case x
    ((a b c) 'abc)
    ((1 2) 'small)
    ((#\x) 'ex)
    ((1e300 2.5) 'float)
    ((100000000000000000000) 'big)
    ((1/3) 'third)
    (() 'none)
    (else => (lambda (y) (list 'other y)))))
(for-each (lambda (x) (write (classify x)) (newline))
          (list 'a 'c 1 2 #\x 1e300 2.5 (* 2 50000000000000000000) (/ 2 6) 3 "s" '() 'd))

;; A captured variable that is assigned, read and written through its box.
(define (counter)
  (define n 0)
  (lambda () (set! n (+ n 1)) n))
(define tick (counter))
(tick)
(tick)
(write (list (tick) (memq 'c '(a b c d)) (memq 'z '(a b)) (memq 'a '(x . a))))
(newline)
(define long (let loop ((i 0) (l '())) (if (= i 200) l (loop (+ i 1) (cons i l)))))
(write (list (memq 0 long) (memq 500 long) (if (memq 199 long) 'head 'no)))
(newline)
(write (guard (e ((error-object? e) (error-object-message e)))
         (memq 'q (let ((l (list 'a 'b))) (set-cdr! (cdr l) l) l))))
(newline)
