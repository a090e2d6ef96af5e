;; `read` from a port sees the text in windows: datums that straddle a window's end
;; (long strings with spaces, block comments, |symbols|, `#\ `, datum comments, lists
;; spread over many lines) read whole, wherever the end falls.
(define (padded n text)
  (string-append (make-string n #\space) text))
(define (text-of parts)
  (let ((out (open-output-string)))
    (for-each (lambda (p) (display p out) (newline out)) parts)
    (get-output-string out)))
(define samples
  (list "\"a b c d e f g h i j k l m n o p q r s t u v w x y z\""
        "#| a comment, then | a | symbol | with spaces |# |x y z|"
        "#\\ " "#;   (skipped datum)   kept"
        "(1 2\n   3\n   4)"
        "12345678901234567890"))
(define (read-all port)
  (let loop ((acc '()))
    (let ((d (read port)))
      (if (eof-object? d) (reverse acc) (loop (cons d acc))))))
(define ok 0)
(do ((pad 0 (+ pad 7))) ((> pad 700))
  (let* ((text (text-of (map (lambda (s) (padded pad s)) samples)))
         (got (read-all (open-input-string text))))
    (if (equal? got
                (list "a b c d e f g h i j k l m n o p q r s t u v w x y z"
                      '|x y z| #\space 'kept '(1 2 3 4) 12345678901234567890))
        (set! ok (+ ok 1))
        (begin (write (list 'pad pad got)) (newline)))))
(write ok) (newline)

;; Many small datums from a file, read to its end.
(define file "read-port-test.tmp")
(call-with-output-file file
  (lambda (p)
    (do ((i 0 (+ i 1))) ((= i 20000))
      (write i p) (newline p))))
(define sum
  (call-with-input-file file
    (lambda (p)
      (let loop ((s 0) (n 0))
        (let ((x (read p)))
          (if (eof-object? x) (list s n) (loop (+ s x) (+ n 1))))))))
(delete-file file)
(write sum) (newline)
(write (guard (e ((read-error? e) (list 'read-error (error-object-message e))))
         (read (open-input-string "(1 2"))))
(newline)
