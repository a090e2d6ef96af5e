(list 1 2))
'after-extra-paren
#q
(a . b c)
(. a)
#u8(1 256)
#\nosuchchar
#\nul
"bad \q escape"
(a ]
'done
