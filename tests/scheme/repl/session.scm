(define x 10)
(+ x 1)
(define (f n)
  (if (= n 0)
      'done
      (f (- n 1))))
(f 10)
"a string"
#\a
(list 1 "two" #\3)
(display "displayed")
(newline)
(if #f #f)
1 2 3
(exit 0)
(display "not reached")
