; A long-lived list extended at its tail, one pair at a time, to LENGTH pairs, with a
; short-lived list of GARBAGE pairs made and dropped after each: the old generation
; grows, and its youngest pair always points to the newest.
;   <scheme> tail-list.scm LENGTH GARBAGE
(define (argument k) (string->number (list-ref (reverse (command-line)) k)))
(define len (argument 1))
(define garbage (argument 0))

(define head (list 0))
(let loop ((i 1) (tail head) (sum 0))
  (if (< i len)
      (let ((pair (list i)))
        (set-cdr! tail pair)
        (loop (+ i 1) pair (+ sum (length (make-list garbage i)))))
      (begin (display sum) (newline))))
(display (length head))
(newline)
