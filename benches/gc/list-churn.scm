; The collector under a live heap that churns: LIVE-MB megabytes of lists of a thousand
; elements, held in a vector like the entries of a cache, while a list chosen at random is
; replaced by a new one until about COLLECTIONS collections have run. The lists that die
; between two collections were built at every age, so the dead pairs are scattered among
; the live ones on most pages. (chain-churn.scm is the same load with one long list.)
;   rudo-scheme --gc-stats benches/gc/list-churn.scm LIVE-MB COLLECTIONS
(define args (command-line))
(define live-mb (string->number (list-ref args 1)))
(define collections (string->number (list-ref args 2)))

(define list-length 1000)
(define (iota-list n) (let loop ((i n) (l '())) (if (= i 0) l (loop (- i 1) (cons i l)))))
(define (sum l) (let loop ((l l) (s 0)) (if (null? l) s (loop (cdr l) (+ s (car l))))))

(define entries (quotient (* live-mb 65536) list-length))
(define cache (make-vector entries '()))
(let fill ((i 0))
  (when (< i entries)
    (vector-set! cache i (iota-list list-length))
    (fill (+ i 1))))

; A linear congruential generator (the constants of Numerical Recipes), so every run
; replaces the same entries in the same order.
(define seed 12345)
(define (next-entry!)
  (set! seed (modulo (+ (* seed 1664525) 1013904223) 4294967296))
  (modulo seed entries))

; Each collection comes after about as many bytes as are live (growth factor 2).
(define replacements (quotient (* collections live-mb 65536) list-length))
(let loop ((i 0) (total 0))
  (if (< i replacements)
      (let ((entry (next-entry!)))
        (let ((total (+ total (sum (vector-ref cache entry)))))
          (vector-set! cache entry (iota-list list-length))
          (loop (+ i 1) total)))
      (begin (display total) (newline))))
(display (let loop ((i 0) (s 0)) (if (= i entries) s (loop (+ i 1) (+ s (sum (vector-ref cache i)))))))
(newline)
