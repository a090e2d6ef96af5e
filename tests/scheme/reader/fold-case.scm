; R7RS 2.1: #!fold-case folds the identifiers after it to lower case, #!no-fold-case
; stops; strings, characters and |bar| symbols keep their case.
#!fold-case
(DEFINE (Twice X) (* 2 X))
(WRITE (LIST (twice 21) 'MiXeD "Strings Keep" #\A '|BarKeeps|))
(newline)
#!no-fold-case
(write 'MiXeD)
(newline)
(write (read (open-input-string "#!fold-case (ABC Def)")))
(newline)
; A port read under #!fold-case stays under it for the next `read`, until #!no-fold-case.
(let ((p (open-input-string "#!fold-case ABC Def #!no-fold-case Ghi #!FOLD-CASE JKL")))
  (let* ((a (read p)) (b (read p)) (c (read p)) (d (read p)))
    (write (list a b c d (eof-object? (read p)))) (newline)))
