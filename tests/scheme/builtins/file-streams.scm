;; Input files are read a piece at a time as the program asks: devices and pipes that
;; never end can be read from, and lines, characters cut between pieces and datums
;; come out whole.
(define random (open-binary-input-file "/dev/urandom"))
(display (bytevector-length (read-bytevector 100000 random)))
(newline)
(define zeros (open-input-file "/dev/zero"))
(display (string-length (read-string 200000 zeros)))
(newline)
(define path "/tmp/rudo-file-streams.txt")
(call-with-output-file path
  (lambda (out)
    (write-string (make-string 200001 #\λ) out)
    (write-string "\r\nsecond\n(a \"b\" #\\c)" out)))
(define in (open-input-file path))
(define first (read-line in))
(display (list (string-length first) (string=? first (make-string 200001 #\λ))))
(newline)
(display (list (read-line in) (read in) (read in)))
(newline)
(close-port in)
(delete-file path)
