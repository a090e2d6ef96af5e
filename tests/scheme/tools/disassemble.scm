;; args: --disassemble
; The listing of each top-level form and of the code it makes: offsets, source lines,
; instructions with their operands, and constants as they would be written.
(define (count-down n) (let loop ((i n) (acc '())) (if (= i 0) acc (loop (- i 1) (cons i acc)))))
(display (count-down 3))
(define greeting "hello")
