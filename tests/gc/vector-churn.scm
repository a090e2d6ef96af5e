; Vectors of many sizes made and dropped, a few kept and checked at the end.
(define small? (member "small" (command-line)))
(define rounds (if small? 300 200000))

(define kept (make-vector 16 #f))
(let loop ((i 0) (checksum 0))
  (if (< i rounds)
      (let* ((size (+ 1 (modulo (* i 7) 97)))
             (v (make-vector size i)))
        (vector-set! v 0 (* i 3))
        (when (= 0 (modulo i 89))
          (vector-set! kept (modulo i 16) v))
        (loop (+ i 1) (+ checksum (vector-ref v 0) (vector-ref v (- size 1)))))
      (begin
        (display (list 'checksum checksum))
        (newline))))
(display (map (lambda (v) (if v (list (vector-length v) (vector-ref v 0)) #f)) (vector->list kept)))
(newline)
