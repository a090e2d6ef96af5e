; Strings built, widened to four bytes a character, and dropped.
(define small? (member "small" (command-line)))
(define rounds (if small? 200 100000))

(define (churn i)
  (let ((s (make-string (+ 1 (modulo i 50)) #\a)))
    (when (= 0 (modulo i 3))
      (string-set! s 0 #\λ))
    (string-append s (number->string i))))

(let loop ((i 0) (total 0) (wide 0))
  (if (< i rounds)
      (let ((s (churn i)))
        (loop (+ i 1)
              (+ total (string-length s))
              (if (char=? (string-ref s 0) #\λ) (+ wide 1) wide)))
      (begin
        (display (list 'characters total 'wide wide))
        (newline))))
(display (churn 299))
(newline)
