; A library found on the search path by the name (geometry points).
(define-library (geometry points)
  (export make-point point-x point-y distance2 (rename point-add add) swap-xy! origin)
  (import (scheme base) (util counter))
  (begin
    (define-record-type point (make-point x y) point? (x point-x) (y point-y))
    ; Private: not exported, and not the program's `square`.
    (define (square n) (* n n))
    (define (distance2 p q)
      (+ (square (- (point-x p) (point-x q))) (square (- (point-y p) (point-y q)))))
    (define (point-add p q)
      (count!)
      (make-point (+ (point-x p) (point-x q)) (+ (point-y p) (point-y q))))
    (define origin (make-point 0 0))
    ; An exported macro whose template uses private names.
    (define-syntax swap-xy!
      (syntax-rules () ((_ var) (set! var (make-point (point-y var) (point-x var))))))))
