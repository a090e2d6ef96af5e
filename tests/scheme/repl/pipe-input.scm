;; A byte that is not UTF-8 reads as U+FFFD and the REPL goes on; a form the input
;; leaves unfinished is reported, not dropped.
(+ 1 2)
(quote ÿ)
(+ 3 4)
;; The program reads the input the REPL reads: the line after this form.
(read-line)
this line is data, not a form
(display "never closed"
