from iptriad.cli import main

main()
