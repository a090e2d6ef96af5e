;; Datum labels make shared and cyclic data, in source and from `read` (R7RS 2.4);
;; symbols that would read as something else are written between bars (2.1).
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define cycle '#0=(a b . #0#))
(show (car cycle) (cadr cycle) (caddr cycle) (eq? cycle (cddr cycle)))
(define shared '(#1=(x y) #1#))
; The literals of one form share its labels; a label defined again is a new one.
(define two (list '#3=(p q) '#3#))
(show two (eq? (car two) (cadr two)))
(write '(#0=(a . #0#) #0=(b . #0#) #0#)) (newline)
(show shared (eq? (car shared) (cadr shared)))
(show (vector-ref '#2=#(a #2# b) 0) (let ((v '#2=#(a #2# b))) (eq? v (vector-ref v 1))))
(write-shared (read (open-input-string "#0=(1 #1=(2 . #1#) . #0#)"))) (newline)
(write (read (open-input-string "(#5=(1 2 3) #5#)"))) (newline)
(show (cadr (read (open-input-string "#0=(1 . #0#)"))))

(define (read-error text)
  (guard (e ((read-error? e) (error-object-message e)))
    (read (open-input-string text))))
(show (read-error "(#1#)") (read-error "#0=#0#") (read-error "#1=(a . #2#)"))

(show '|a b| '|| '|+i| '|-i| '|1| '|+NaN.0abc| '|+inf.0| '|.5| '|\\x| 'abc '->x '+ '...)
(show (string->symbol "1+2i") (string->symbol "#foo") (symbol->string '|a\x41;b|))
(show (equal? (read (open-input-string (let ((p (open-output-string)))
                                         (write '|+i| p)
                                         (get-output-string p))))
              '|+i|))
; A macro that takes a reference away from its label gets an error, not a crash.
(define-syntax drop-first (syntax-rules () ((_ a b) b)))
(drop-first '#4=(x) '#4#)
