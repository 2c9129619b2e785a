import ArgumentParser
import AqylServer
print("aqyl")
