print("swb")
