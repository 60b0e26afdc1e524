// The Gin service. VERSION=2 is the release that dropped DELETE /api/carts/:id.
package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

func main() {
	r := gin.Default()
	r.HandleMethodNotAllowed = true
	r.GET("/api/products", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"items": []int{1, 2, 3}}) })
	r.GET("/api/products/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	r.PUT("/api/products/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	r.GET("/api/carts/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	if os.Getenv("VERSION") != "2" {
		r.DELETE("/api/carts/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	}
	r.Run(os.Getenv("ADDR"))
}
