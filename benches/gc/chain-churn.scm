; The collector under a chain-shaped live heap: one list of LIVE-MB megabytes of pairs
; stays live while lists of a thousand elements are built, summed and dropped until about
; COLLECTIONS collections have run.
;   rudo-scheme --gc-stats benches/gc/chain-churn.scm LIVE-MB COLLECTIONS
(define args (command-line))
(define live-mb (string->number (list-ref args 1)))
(define collections (string->number (list-ref args 2)))

(define (iota-list n) (let loop ((i n) (l '())) (if (= i 0) l (loop (- i 1) (cons i l)))))
(define (sum l) (let loop ((l l) (s 0)) (if (null? l) s (loop (cdr l) (+ s (car l))))))

(define long-lived (iota-list (* live-mb 65536)))

(define garbage-lists (quotient (* collections live-mb 65536) 1000))
(let loop ((i 0) (total 0))
  (if (< i garbage-lists)
      (loop (+ i 1) (+ total (sum (iota-list 1000))))
      (begin (display total) (newline))))
(display (sum long-lived))
(newline)
