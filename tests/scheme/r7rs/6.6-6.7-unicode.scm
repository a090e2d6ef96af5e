;; Characters and strings by the Unicode character database (R7RS 6.6, 6.7): full case
;; mappings for strings, simple ones for characters, digits of every script.
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(show (string-upcase "ßa") (string-upcase "ǰ") (string-downcase "İ") (string-downcase "ΧΑΟΣ"))
(show (string-downcase "ΧΑΟΣ ΣΑ") (string-foldcase "Maß") (string-foldcase "ſ") (string-foldcase "İ"))
(show (char-upcase #\ß) (char-foldcase #\ſ) (char-foldcase #\Σ) (char-foldcase #\ς) (char-downcase #\İ))
(show (string-ci=? "Straße" "STRASSE") (string-ci<? "abc" "ABD") (char-ci=? #\ſ #\S))

(show (digit-value #\3) (digit-value #\x664) (digit-value #\x0AE6) (digit-value #\x1D7D9)
      (digit-value #\a) (digit-value #\x00BD))
(show (char-numeric? #\x664) (char-numeric? #\x00BD) (char-alphabetic? #\λ)
      (char-upper-case? #\Λ) (char-lower-case? #\λ) (char-whitespace? #\x3000))
