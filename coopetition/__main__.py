from coopetition.cli import main

main()
